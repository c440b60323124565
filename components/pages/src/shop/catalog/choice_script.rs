//! The product page's one script: the shown title, price, price per kg, stock and SKU
//! follow the option selects at once, before anything is submitted, and "Add to cart" is
//! disabled for a choice that cannot be bought.
//!
//! Progressive: without it the add-to-cart form still carries the chosen values and the
//! writer resolves them, and "Show" reloads the page with them. The variants reach the
//! script as JSON in a `data-` attribute, which maud escapes like any attribute, and the
//! script only ever sets `textContent`, `className`, `hidden` and `disabled`: no value is
//! pasted into JavaScript or HTML. The script is a constant allowed by its hash in the
//! page's own Content-Security-Policy (no `unsafe-inline`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The product page's policy: the shop's usual one plus this script by its hash.
pub fn csp() -> String {
    let hash = STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; \
         img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Reads `data-variants` (see `product_view::choices`) from the buy form and follows its
/// `select[data-option]`s.
pub const SCRIPT: &str = r##"
(function () {
  var form = document.querySelector("form[data-variants]");
  if (!form) { return; }
  var variants = JSON.parse(form.getAttribute("data-variants"));
  var selects = form.querySelectorAll("select[data-option]");
  function byId(id) { return document.getElementById(id); }
  function update() {
    var values = [];
    for (var i = 0; i < selects.length; i++) { values.push(selects[i].value); }
    var wanted = JSON.stringify(values), found = null;
    for (var j = 0; j < variants.length; j++) {
      if (JSON.stringify(variants[j].values) === wanted) { found = variants[j]; }
    }
    byId("chosen").hidden = !found;
    byId("choice-note").hidden = !!found;
    if (found) {
      byId("chosen-title").textContent = found.title;
      byId("chosen-price").textContent = found.price;
      var unit = byId("chosen-unit");
      unit.textContent = found.per_kg ? found.per_kg + " / kg" : "";
      unit.hidden = !found.per_kg;
      var badge = byId("chosen-stock");
      badge.textContent = found.stock;
      badge.className = "badge " + found.badge;
      byId("chosen-sku").textContent = found.sku;
    }
    var add = byId("add-to-cart");
    if (add) { add.disabled = !(found && found.buy); }
  }
  for (var k = 0; k < selects.length; k++) {
    selects[k].addEventListener("change", update);
  }
  update();
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_this_script_by_hash_and_nothing_inline() {
        let csp = csp();
        let hash = STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
        assert!(csp.contains(&format!("script-src 'sha256-{hash}';")));
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe"));
        // Only text is ever set: nothing the writer sent becomes markup.
        assert!(!SCRIPT.contains("innerHTML") && !SCRIPT.contains("eval"));
    }
}
