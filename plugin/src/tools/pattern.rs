//! The `pattern` keyword of the tools' schemas, enforced: a small
//! backtracking matcher for the regular expressions the schemas are written
//! in (ECMA-262 as JSON Schema says, the subset our schemas use): `^`, `$`,
//! literals, `.`, escapes (`\.`, `\s`, `\S`, `\d`, `\w` …), classes with
//! ranges and negation, groups with `|`, and the quantifiers `?`, `*`, `+`,
//! `{n}`, `{n,}`, `{n,m}`. A pattern is searched for anywhere in the value,
//! as JSON Schema does; ours anchor themselves. The patterns are ours and
//! fixed; the values are untrusted, and their length is bounded by the
//! schema's `maxLength`, checked before this.

/// One element of a pattern.
#[derive(Debug, Clone)]
enum Node {
    /// One character, itself.
    Char(char),
    /// `.`: any character but a line break.
    Any,
    /// `[…]`, `\s` …: one character of a set.
    Class(Class),
    /// `^`.
    Start,
    /// `$`.
    End,
    /// `(a|b)`: alternatives, each a sequence.
    Group(Vec<Vec<Node>>),
    /// A node repeated `min` to `max` times (greedy).
    Repeat(Box<Node>, usize, usize),
}

/// A character set.
#[derive(Debug, Clone, Default)]
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
    /// `\s`, `\d`, `\w` and their negations inside the set.
    shorthands: Vec<char>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let inside =
            self.ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)) || self.shorthands.iter().any(|s| shorthand(*s, c));
        inside != self.negated
    }
}

/// Whether `c` is in the set of the escape `\e` (`s`, `S`, `d`, `D`, `w`, `W`).
fn shorthand(e: char, c: char) -> bool {
    match e {
        's' => c.is_whitespace(),
        'S' => !c.is_whitespace(),
        'd' => c.is_ascii_digit(),
        'D' => !c.is_ascii_digit(),
        'w' => c.is_ascii_alphanumeric() || c == '_',
        'W' => !(c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    }
}

/// A pattern the matcher cannot read: a fault in a schema of ours.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPattern(pub String);

struct Parser<'a> {
    p: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Parser<'_> {
    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, BadPattern> {
        let mut alts = vec![self.sequence()?];
        while self.p.peek() == Some(&'|') {
            self.p.next();
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, BadPattern> {
        let mut seq = vec![];
        while let Some(&c) = self.p.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.p.next();
            let atom = match c {
                '^' => Node::Start,
                '$' => Node::End,
                '.' => Node::Any,
                '(' => {
                    if self.p.peek() == Some(&'?') {
                        // `(?:` is the only group flag used.
                        self.p.next();
                        if self.p.next() != Some(':') {
                            return Err(BadPattern("only (?: groups are supported".into()));
                        }
                    }
                    let alts = self.alternatives()?;
                    if self.p.next() != Some(')') {
                        return Err(BadPattern("unclosed group".into()));
                    }
                    Node::Group(alts)
                }
                '[' => Node::Class(self.class()?),
                '\\' => self.escape()?,
                '*' | '+' | '?' | '{' => return Err(BadPattern(format!("`{c}` repeats nothing"))),
                other => Node::Char(other),
            };
            let atom = self.quantified(atom)?;
            seq.push(atom);
        }
        Ok(seq)
    }

    fn escape(&mut self) -> Result<Node, BadPattern> {
        let e = self.p.next().ok_or_else(|| BadPattern("trailing backslash".into()))?;
        Ok(match e {
            's' | 'S' | 'd' | 'D' | 'w' | 'W' => Node::Class(Class { shorthands: vec![e], ..Class::default() }),
            'n' => Node::Char('\n'),
            't' => Node::Char('\t'),
            'r' => Node::Char('\r'),
            other => Node::Char(other),
        })
    }

    fn class(&mut self) -> Result<Class, BadPattern> {
        let mut class = Class::default();
        if self.p.peek() == Some(&'^') {
            self.p.next();
            class.negated = true;
        }
        let mut first = true;
        loop {
            let c = self.p.next().ok_or_else(|| BadPattern("unclosed [".into()))?;
            if c == ']' && !first {
                return Ok(class);
            }
            first = false;
            let lo = if c == '\\' {
                let e = self.p.next().ok_or_else(|| BadPattern("trailing backslash".into()))?;
                if matches!(e, 's' | 'S' | 'd' | 'D' | 'w' | 'W') {
                    class.shorthands.push(e);
                    continue;
                }
                e
            } else {
                c
            };
            let mut ahead = self.p.clone();
            if ahead.next() == Some('-') && ahead.peek().is_some_and(|n| *n != ']') {
                self.p.next();
                let hi = match self.p.next() {
                    Some('\\') => self.p.next().ok_or_else(|| BadPattern("trailing backslash".into()))?,
                    Some(h) => h,
                    None => return Err(BadPattern("unclosed [".into())),
                };
                if hi < lo {
                    return Err(BadPattern(format!("range {lo}-{hi} is backwards")));
                }
                class.ranges.push((lo, hi));
            } else {
                class.ranges.push((lo, lo));
            }
        }
    }

    fn number(&mut self) -> Option<usize> {
        let mut n: Option<usize> = None;
        while let Some(d) = self.p.peek().and_then(|c| c.to_digit(10)) {
            self.p.next();
            n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        }
        n
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, BadPattern> {
        let (min, max) = match self.p.peek() {
            Some('?') => (0, 1),
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('{') => {
                self.p.next();
                let min = self.number().ok_or_else(|| BadPattern("{ without a count".into()))?;
                let max = if self.p.peek() == Some(&',') {
                    self.p.next();
                    self.number().unwrap_or(usize::MAX)
                } else {
                    min
                };
                if self.p.next() != Some('}') || max < min {
                    return Err(BadPattern("bad {n,m}".into()));
                }
                return Ok(Node::Repeat(Box::new(atom), min, max));
            }
            _ => return Ok(atom),
        };
        self.p.next();
        Ok(Node::Repeat(Box::new(atom), min, max))
    }
}

fn parse(pattern: &str) -> Result<Vec<Vec<Node>>, BadPattern> {
    let mut parser = Parser { p: pattern.chars().peekable() };
    let alts = parser.alternatives()?;
    match parser.p.next() {
        None => Ok(alts),
        Some(c) => Err(BadPattern(format!("unexpected `{c}`"))),
    }
}

fn seq_at(seq: &[Node], pos: usize, s: &[char], k: &mut dyn FnMut(usize) -> bool) -> bool {
    match seq.split_first() {
        None => k(pos),
        Some((n, rest)) => node_at(n, pos, s, &mut |p| seq_at(rest, p, s, k)),
    }
}

fn node_at(n: &Node, pos: usize, s: &[char], k: &mut dyn FnMut(usize) -> bool) -> bool {
    match n {
        Node::Char(c) => s.get(pos) == Some(c) && k(pos + 1),
        Node::Any => s.get(pos).is_some_and(|c| *c != '\n' && *c != '\r') && k(pos + 1),
        Node::Class(class) => s.get(pos).is_some_and(|c| class.matches(*c)) && k(pos + 1),
        Node::Start => pos == 0 && k(pos),
        Node::End => pos == s.len() && k(pos),
        Node::Group(alts) => alts.iter().any(|a| seq_at(a, pos, s, k)),
        Node::Repeat(inner, min, max) => repeat_at(inner, *min, *max, 0, pos, s, k),
    }
}

/// Greedy repetition: one more when it consumes something, else stop here.
fn repeat_at(
    inner: &Node,
    min: usize,
    max: usize,
    count: usize,
    pos: usize,
    s: &[char],
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if count < max && node_at(inner, pos, s, &mut |p| p > pos && repeat_at(inner, min, max, count + 1, p, s, k)) {
        return true;
    }
    count >= min && k(pos)
}

/// Whether `pattern` matches somewhere in `value`.
pub fn is_match(pattern: &str, value: &str) -> Result<bool, BadPattern> {
    let alts = parse(pattern)?;
    let s: Vec<char> = value.chars().collect();
    Ok((0..=s.len()).any(|start| alts.iter().any(|a| seq_at(a, start, &s, &mut |_| true))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, v: &str) -> bool {
        is_match(p, v).unwrap()
    }

    #[test]
    fn pattern_rule_anchors_classes_and_quantifiers() {
        assert!(m("^[a-z0-9_-]+(,[a-z0-9_-]+)*$", "processing,on-hold"));
        assert!(!m("^[a-z0-9_-]+(,[a-z0-9_-]+)*$", "processing,"));
        assert!(!m("^[a-z0-9_-]+(,[a-z0-9_-]+)*$", "Processing"));
        assert!(m("^[0-9]+(\\.[0-9]+)?$", "19.99"));
        assert!(!m("^[0-9]+(\\.[0-9]+)?$", "19."));
        assert!(m("^-?[0-9]+(\\.[0-9]+)?$", "-5.50"));
        assert!(m("^[A-Z]{3}$", "EUR"));
        assert!(!m("^[A-Z]{3}$", "EURO"));
        assert!(m("^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$", "2025-03-01T09:00:00"));
        assert!(!m("^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$", "2025-03-01T09:00"));
        assert!(m("^([A-Za-z]{3}|current)$", "current"));
        assert!(!m("^([A-Za-z]{3}|current)$", "currents"));
        assert!(m("^[A-Za-z0-9_.-]{1,100}$", "billing.email"));
        assert!(!m("^[A-Za-z0-9_.-]{1,100}$", ""));
    }

    #[test]
    fn pattern_rule_urls_and_shorthands() {
        let url = "^https?://[^\\s/@]+(/\\S*)?$";
        assert!(m(url, "https://example.com/hooks/woo"));
        assert!(m(url, "http://127.0.0.1:8080"));
        assert!(!m(url, "https://user:pw@example.com/"));
        assert!(!m(url, "ftp://example.com"));
        assert!(!m(url, "https://exa mple.com"));
        assert!(m("^https?://[^\\s/]", "https://t.example/track?n=1"));
        assert!(!m("^https?://[^\\s/]", "https:///x"));
        assert!(m("^woo:(customer|guest):", "woo:guest:ann@example.com"));
        assert!(!m("^woo:(customer|guest):", "woo:order:5"));
        assert!(m("^[^,]+$", "MUG-RED"));
        assert!(!m("^[^,]+$", "A,B"));
    }

    #[test]
    fn pattern_rule_is_a_search_unless_anchored() {
        assert!(m("b+", "abbc"));
        assert!(!m("^b+", "abbc"));
        assert!(m("", "anything"));
    }

    #[test]
    fn pattern_rule_long_values_do_not_blow_up() {
        let long = "a".repeat(2000);
        assert!(m("^[a-z0-9_-]+(,[a-z0-9_-]+)*$", &long));
        assert!(!m("^[a-z0-9_-]+(,[a-z0-9_-]+)*$", &format!("{long},")));
    }

    #[test]
    fn pattern_rule_bad_patterns_are_reported_not_matched() {
        for p in ["(", "[a-", "*a", "a{2", "[z-a]", "(?=a)"] {
            assert!(is_match(p, "a").is_err(), "{p}");
        }
    }
}
