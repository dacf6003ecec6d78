//! `woo-fuzz`: a mutation fuzzer for the component's parsers, on the pinned
//! stable toolchain (cargo-fuzz needs nightly). It starts from the seed corpus
//! in `fuzz/corpus/<target>/`, mutates (bit flips, byte edits, block
//! deletes/duplicates, splices between seeds, the target's dictionary
//! tokens), and runs each input under `catch_unwind`. A panic saves the input
//! to `fuzz/artifacts/<target>/` and exits 1.
//!
//! ```sh
//! cargo run --release -p woo-fuzz -- all --seconds 60
//! cargo run --release -p woo-fuzz -- raw_path --seconds 300 --seed 7
//! cargo run --release -p woo-fuzz -- raw_path --replay fuzz/artifacts/raw_path/crash-…
//! ```

mod targets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// xorshift64*: fast, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const INTERESTING: [&[u8]; 12] = [
    b"\0",
    b"\xff",
    b"\xc3\xa9",
    b"\xe2\x80\xae",
    b"\xf0\x9f\x98\x80",
    b"0",
    b"-1",
    b"18446744073709551616",
    b"%",
    b"\"",
    b"\\",
    b"\r\n",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>], dict: &[&str]) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                input.drain(start..end);
            }
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(32)).min(len);
                let block = input[start..end].to_vec();
                let at = rng.below(input.len() + 1);
                input.splice(at..at, block);
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                input.truncate(cut);
                input.extend_from_slice(&other[from..]);
            }
            6 | 7 if !dict.is_empty() => {
                let token = dict[rng.below(dict.len())].as_bytes();
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            _ => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
        }
    }
    input.truncate(64 * 1024);
}

/// JSON values WooCommerce is known to send where another type is expected.
const LOOSE_VALUES: [&str; 16] = [
    "null",
    "false",
    "true",
    "\"\"",
    "\"0\"",
    "\"12.5\"",
    "12.5",
    "1e308",
    "-1",
    "18446744073709551616",
    "[]",
    "{}",
    "\"&amp;&#8217;&#x1F600;\"",
    "\"\\u00e9\\u202e\"",
    "[false]",
    "{\"id\":\"7\"}",
];

/// A structural mutation for JSON targets: one value somewhere in the
/// document is replaced by a loose value (or a very long string).
fn mutate_json(rng: &mut Rng, input: &mut Vec<u8>) {
    let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(input) else { return };
    // Walk down a random path (read-only), then replace what it points at.
    let mut pointer = String::new();
    let mut node = &doc;
    for _ in 0..rng.below(5) {
        let step = match node {
            serde_json::Value::Object(m) if !m.is_empty() => m.keys().nth(rng.below(m.len())).cloned(),
            serde_json::Value::Array(a) if !a.is_empty() => Some(rng.below(a.len()).to_string()),
            _ => None,
        };
        let Some(step) = step else { break };
        pointer.push('/');
        pointer.push_str(&step.replace('~', "~0").replace('/', "~1"));
        match doc.pointer(&pointer) {
            Some(n) => node = n,
            None => break,
        }
    }
    let Some(node) = doc.pointer_mut(&pointer) else { return };
    *node = if rng.below(10) == 0 {
        serde_json::Value::String("\u{e9}".repeat(rng.below(100_000)))
    } else {
        serde_json::from_str(LOOSE_VALUES[rng.below(LOOSE_VALUES.len())]).unwrap_or_default()
    };
    *input = serde_json::to_vec(&doc).unwrap_or_default();
}

fn load_corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    if out.is_empty() {
        out.push(vec![]);
    }
    out
}

/// What one run found.
#[derive(Debug)]
struct Outcome {
    executions: u64,
    crash: Option<Vec<u8>>,
}

fn fuzz(
    target: targets::Target,
    name: &str,
    dict: &[&str],
    budget: Duration,
    seed: u64,
    max_runs: Option<u64>,
) -> Outcome {
    let corpus = load_corpus(name);
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let mut executions = 0;
    let run = |input: &[u8]| std::panic::catch_unwind(|| target(input)).is_err();
    for seed_input in &corpus {
        executions += 1;
        if run(seed_input) {
            return Outcome { executions, crash: Some(seed_input.clone()) };
        }
    }
    while started.elapsed() < budget && max_runs.is_none_or(|m| executions < m) {
        let mut input = corpus[rng.below(corpus.len())].clone();
        if name == "mapping" && rng.below(2) == 0 {
            for _ in 0..=rng.below(3) {
                mutate_json(&mut rng, &mut input);
            }
        } else {
            mutate(&mut rng, &mut input, &corpus, dict);
        }
        executions += 1;
        if run(&input) {
            return Outcome { executions, crash: Some(input) };
        }
    }
    Outcome { executions, crash: None }
}

fn save_crash(name: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts").join(name);
    let _ = std::fs::create_dir_all(&dir);
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100_0000_01b3));
    let path = dir.join(format!("crash-{hash:016x}"));
    let _ = std::fs::write(&path, input);
    path
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: woo-fuzz <all|webhook|mapping|percent_encode|store_url|raw_path> [--seconds N] [--seed N] [--replay FILE]";
    let Some(which) = args.first() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
    let number = |name: &str, default: u64| -> u64 {
        flag(name)
            .map(|v| {
                v.parse().unwrap_or_else(|_| {
                    eprintln!("{name} needs a whole number, got {v:?}");
                    std::process::exit(2)
                })
            })
            .unwrap_or(default)
    };
    let seconds = number("--seconds", 60);
    let seed = number(
        "--seed",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1),
    );
    let chosen: Vec<_> = targets::TARGETS.iter().filter(|(n, _, _)| which == "all" || n == which).collect();
    if chosen.is_empty() {
        eprintln!("unknown target {which:?}; {usage}");
        std::process::exit(2);
    }
    if let Some(file) = flag("--replay") {
        let input = std::fs::read(file).unwrap_or_else(|e| {
            eprintln!("reading {file}: {e}");
            std::process::exit(2)
        });
        for (_, target, _) in &chosen {
            target(&input);
        }
        println!("{file}: no panic");
        return;
    }
    let mut failed = false;
    for (name, target, dict) in chosen {
        eprintln!("fuzzing {name} for {seconds} s (seed {seed})");
        let out = fuzz(*target, name, dict, Duration::from_secs(seconds), seed, None);
        match out.crash {
            Some(input) => {
                failed = true;
                let path = save_crash(name, &input);
                println!("{name}: CRASH after {} executions; input saved to {}", out.executions, path.display());
            }
            None => println!("{name}: {} executions in {seconds} s, no crash", out.executions),
        }
    }
    if failed {
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smoke run `cargo test` does: every seed, then 3,000 mutations per
    /// target with a fixed seed. The long runs are the documented command.
    #[test]
    fn fuzz_smoke_every_target_survives_its_corpus_and_3000_mutations() {
        for (name, target, dict) in targets::TARGETS {
            let out = fuzz(target, name, dict, Duration::from_secs(30), 12_345, Some(3_000));
            assert!(
                out.crash.is_none(),
                "{name} crashed on {:?}",
                out.crash.map(|c| String::from_utf8_lossy(&c).into_owned())
            );
        }
    }

    #[test]
    fn fuzz_engine_finds_a_planted_bug() {
        fn planted(input: &[u8]) {
            assert!(!input.windows(2).any(|w| w == b"%%"), "planted");
        }
        let out = fuzz(planted, "raw_path", &["%"], Duration::from_secs(10), 1, Some(100_000));
        assert!(out.crash.is_some(), "the mutator reaches `%%` from the raw_path seeds");
    }
}
