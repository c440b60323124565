//! Back-office tables on a phone: below a tablet's width every `table.list` reflows into
//! one card per row (the stylesheet in `layout.rs`), each cell led by its column's header,
//! instead of squeezing its columns until words break letter by letter. For that each body
//! cell needs its header's text: [`label_cells`] copies it into a `data-label` attribute,
//! once for every page the back office draws, so no table has to remember it and a new
//! table gets it too.
//!
//! It reads the HTML maud wrote (attributes in double quotes, text escaped), so a plain
//! scan is enough: per `<table>`, the header cells of its `<thead>` in order (a
//! `colspan` repeats one), then every `<td>`/`<th>` of every later row gets the label of
//! its column, unless it has one.

/// `html` with a `data-label` on every body cell of every table that has a `<thead>`.
pub fn label_cells(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(start) = find_tag(rest, "table") {
        out.push_str(&rest[..start]);
        let table_len = rest[start..]
            .find("</table>")
            .map_or(rest.len() - start, |end| end + "</table>".len());
        out.push_str(&label_table(&rest[start..start + table_len]));
        rest = &rest[start + table_len..];
    }
    out.push_str(rest);
    out
}

/// Where the opening tag `<name` (followed by a space or `>`) starts in `s`.
fn find_tag(s: &str, name: &str) -> Option<usize> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(i) = s[from..].find(&open) {
        let at = from + i;
        match s.as_bytes().get(at + open.len()) {
            Some(b' ' | b'>') => return Some(at),
            _ => from = at + open.len(),
        }
    }
    None
}

/// One table, its body cells labelled.
fn label_table(table: &str) -> String {
    let Some(head_start) = find_tag(table, "thead") else {
        return table.to_string();
    };
    let Some(head_len) = table[head_start..].find("</thead>") else {
        return table.to_string();
    };
    let head_end = head_start + head_len + "</thead>".len();
    let labels = header_labels(&table[head_start..head_end]);
    let mut out = String::with_capacity(table.len() + 256);
    out.push_str(&table[..head_end]);
    let mut rest = &table[head_end..];
    while let Some(row) = find_tag(rest, "tr") {
        out.push_str(&rest[..row]);
        let row_len = rest[row..]
            .find("</tr>")
            .map_or(rest.len() - row, |end| end + "</tr>".len());
        out.push_str(&label_row(&rest[row..row + row_len], &labels));
        rest = &rest[row + row_len..];
    }
    out.push_str(rest);
    out
}

/// The text of each column's header, in order.
fn header_labels(head: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut rest = head;
    while let Some(start) = find_tag(rest, "th") {
        let cell = &rest[start..];
        let Some(open_end) = cell.find('>') else {
            break;
        };
        let close = cell.find("</th>").unwrap_or(cell.len());
        let text = text_of(&cell[open_end + 1..close.max(open_end + 1)]);
        for _ in 0..colspan(&cell[..open_end]) {
            labels.push(text.clone());
        }
        rest = &cell[close.min(cell.len())..];
        if close == cell.len() {
            break;
        }
    }
    labels
}

/// One row, each cell given its column's label.
fn label_row(row: &str, labels: &[String]) -> String {
    let mut out = String::with_capacity(row.len() + 128);
    let mut rest = row;
    let mut column = 0;
    loop {
        let td = find_tag(rest, "td");
        let th = find_tag(rest, "th");
        let Some(start) = [td, th].into_iter().flatten().min() else {
            break;
        };
        let tag_len = 3; // "<td" or "<th"
        let open_end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let attributes = &rest[start + tag_len..open_end];
        out.push_str(&rest[..start + tag_len]);
        if !attributes.contains("data-label=")
            && let Some(label) = labels.get(column)
        {
            out.push_str(" data-label=\"");
            out.push_str(label);
            out.push('"');
        }
        column += colspan(attributes);
        rest = &rest[start + tag_len..];
    }
    out.push_str(rest);
    out
}

/// The `colspan` of a cell's opening tag (1 when absent or not a number).
fn colspan(open_tag: &str) -> usize {
    open_tag
        .find("colspan=\"")
        .and_then(|i| {
            let value = &open_tag[i + "colspan=\"".len()..];
            value[..value.find('"')?].parse::<usize>().ok()
        })
        .filter(|n| (1..=100).contains(n))
        .unwrap_or(1)
}

/// A header cell's text, tags left out and spaces collapsed; still escaped as maud wrote
/// it, so it is safe inside a double-quoted attribute.
fn text_of(inner: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_cells_get_their_columns_header() {
        let html = "<p>x</p><table class=\"list\"><thead><tr><th scope=\"col\">Order</th>\
                    <th class=\"num\" scope=\"col\">Total <span>(EUR)</span></th><th></th></tr></thead>\
                    <tbody><tr><td><a href=\"/o\">SF-1</a></td><td class=\"num\">€1.00</td>\
                    <td>x</td></tr><tr><th scope=\"row\">A</th><td colspan=\"2\">b</td></tr></tbody></table>\
                    <table><tr><td>no head</td></tr></table>";
        let labelled = label_cells(html);
        assert!(labelled.contains("<td data-label=\"Order\"><a href=\"/o\">SF-1</a></td>"));
        assert!(labelled.contains("<td data-label=\"Total (EUR)\" class=\"num\">"));
        assert!(labelled.contains("<td data-label=\"\">x</td>"));
        assert!(labelled.contains("<th data-label=\"Order\" scope=\"row\">A</th>"));
        assert!(labelled.contains("<td data-label=\"Total (EUR)\" colspan=\"2\">b</td>"));
        assert!(labelled.contains("<table><tr><td>no head</td></tr></table>"));
        assert!(labelled.starts_with("<p>x</p>"));
        // Header cells are left as they are.
        assert!(labelled.contains("<th scope=\"col\">Order</th>"));
    }

    #[test]
    fn a_page_without_tables_is_unchanged() {
        let html = "<main><thead-like>text</thead-like><p>no table</p></main>";
        assert_eq!(label_cells(html), html);
    }
}
