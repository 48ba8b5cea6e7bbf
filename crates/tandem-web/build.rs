//! Embeds the web assets: GOV.UK Frontend's compiled CSS and JavaScript (from the npm package
//! pinned in `web/package-lock.json`, fetched with `npm ci --prefix web`, never committed) and
//! Tandem's own CSS and start-up script. Each file is served at a URL carrying a hash of its
//! content, so browsers may cache it for ever and a new build is fetched at once.
//!
//! GOV.UK Frontend's CSS is adjusted on the way in: its GDS Transport font may only be used by
//! services on GOV.UK, so the font faces are removed and Arial named instead, and source map
//! comments are dropped because the maps are not served. The build stops if the package no
//! longer looks as expected, rather than shipping the font by accident.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a build script reports failure by panicking"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use sha2::{Digest, Sha256};

const INSTALL_HINT: &str = "run `npm ci --prefix web` in the repository root to fetch the pinned \
                            govuk-frontend package";

/// Where a build-script placeholder in our start-up script is replaced by GOV.UK Frontend's URL.
const GOVUK_JS_PLACEHOLDER: &str = "__GOVUK_FRONTEND_JS__";

struct Asset {
    /// The constant the crate refers to the asset's URL by, if it links to it itself.
    constant: Option<&'static str>,
    stem: &'static str,
    extension: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dist = manifest.join("../../web/node_modules/govuk-frontend/dist/govuk");
    let own = manifest.join("assets");
    println!("cargo::rerun-if-changed={}", dist.display());
    println!("cargo::rerun-if-changed={}", own.display());

    let govuk_css = arial_only(&read_text(&dist.join("govuk-frontend.min.css")));
    let govuk_js = without_source_map(&read_text(&dist.join("govuk-frontend.min.js")));
    let mut assets = vec![
        Asset {
            constant: Some("GOVUK_FRONTEND_CSS"),
            stem: "govuk-frontend",
            extension: "min.css",
            content_type: "text/css; charset=utf-8",
            body: govuk_css.into_bytes(),
        },
        Asset {
            constant: None,
            stem: "govuk-frontend",
            extension: "min.js",
            content_type: "text/javascript; charset=utf-8",
            body: govuk_js.into_bytes(),
        },
        Asset {
            constant: Some("TANDEM_CSS"),
            stem: "tandem",
            extension: "css",
            content_type: "text/css; charset=utf-8",
            body: read_text(&own.join("tandem.css")).into_bytes(),
        },
    ];
    let init = read_text(&own.join("tandem.js"));
    assert!(
        init.contains(GOVUK_JS_PLACEHOLDER),
        "assets/tandem.js must import GOV.UK Frontend from {GOVUK_JS_PLACEHOLDER}"
    );
    let init = init.replace(GOVUK_JS_PLACEHOLDER, &url(&assets[1]));
    assets.push(Asset {
        constant: Some("TANDEM_JS"),
        stem: "tandem",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        body: init.into_bytes(),
    });

    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let mut table = String::from("pub(crate) static ASSETS: &[Asset] = &[\n");
    let mut constants = String::new();
    for asset in &assets {
        let file = out.join(format!("{}.{}", asset.stem, asset.extension));
        fs::write(&file, &asset.body).expect("write asset to OUT_DIR");
        let url = url(asset);
        writeln!(
            table,
            "    Asset {{ path: {url:?}, content_type: {:?}, body: include_bytes!({:?}) }},",
            asset.content_type,
            file.display().to_string()
        )
        .expect("write to string");
        if let Some(constant) = asset.constant {
            writeln!(constants, "pub(crate) const {constant}: &str = {url:?};")
                .expect("write to string");
        }
    }
    table.push_str("];\n");
    fs::write(out.join("assets.rs"), table + &constants).expect("write assets.rs");
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; {INSTALL_HINT}", path.display()))
}

/// `/assets/STEM.HASH.EXTENSION`, the hash being the first 16 hex digits of the SHA-256 of the
/// content.
fn url(asset: &Asset) -> String {
    let digest = Sha256::digest(&asset.body);
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("/assets/{}.{hash}.{}", asset.stem, asset.extension)
}

fn without_source_map(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//# sourceMappingURL=") {
            Some(at) => &line[..at],
            None => line,
        })
        .map(|line| match line.find("/*# sourceMappingURL=") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// GOV.UK Frontend's CSS with Arial in place of GDS Transport and no font faces to download.
fn arial_only(css: &str) -> String {
    const FACE: &str = "@font-face{font-family:GDS Transport;";
    let mut css = without_source_map(css);
    let mut removed = 0;
    while let Some(start) = css.find(FACE) {
        let end = css[start..]
            .find('}')
            .map(|e| start + e + 1)
            .expect("a @font-face rule ends with }");
        css.replace_range(start..end, "");
        removed += 1;
    }
    let css = css.replace("GDS Transport,arial,sans-serif", "arial,sans-serif");
    assert!(
        removed > 0 && !css.contains("GDS Transport"),
        "govuk-frontend's CSS no longer names its font as this build script expects: update \
         build.rs so that GDS Transport is neither named nor downloaded"
    );
    css
}
