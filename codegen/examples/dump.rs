//! Prints the client progenitor generates for some operations of one spec (a debugging aid).
//! Usage: cargo run -p atlassian-mcp-codegen --example dump -- SPEC.json OP [OP...]
use atlassian_mcp_codegen::{client, patch, prune, spec::Spec};
use std::collections::HashSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: dump SPEC.json OP...")?;
    let ops: Vec<String> = args.collect();
    let mut spec = Spec::parse("spec", &std::fs::read_to_string(file)?)?;
    let log = patch::patch_spec(&mut spec.doc);
    eprintln!(
        "{}",
        log.render("spec")
            .lines()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let keep: HashSet<&str> = ops.iter().map(String::as_str).collect();
    let pruned = prune::prune(&spec.doc, &keep);
    let tokens = client::generate_client(&pruned, &client::ClientOptions::default())?;
    let file: syn::File = syn::parse2(tokens)?;
    println!("{}", prettyplease::unparse(&file));
    Ok(())
}
