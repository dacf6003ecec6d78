//! `woo`: run the woo-connector component against a WooCommerce store (see
//! `woo_host::cli` for the commands).

fn main() {
    woo_host::cli::main();
}
