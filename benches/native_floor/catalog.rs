//! `GET /` of the floor: the catalog page's first page of product cards, the collections and
//! the shop's name, read in one snapshot on a read connection and kept until the next
//! commit (as the host keeps the writer's catalog answers until the next write), then
//! rendered on every request into a page of the same size class as the pages component's
//! (an inline stylesheet, twelve cards with pictures and prices, escaped: 16.8 KB against
//! the pages' 19.9 KB).

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Cards on the first page (the pages component's page size for `GET /`).
const PAGE: i64 = 12;

struct Card {
    slug: String,
    name: String,
    price: i64,
    from: bool,
    stock: i64,
    image: Option<(String, i64, i64, String)>,
}

/// What one rendering needs.
struct Catalog {
    shop: String,
    description: String,
    currency: String,
    total: i64,
    collections: Vec<(String, String)>,
    cards: Vec<Card>,
}

/// The read connections and the snapshot of the catalog, tagged with the commit count it
/// was read at.
pub struct Reader {
    connections: Vec<Mutex<rusqlite::Connection>>,
    cached: Mutex<Option<(u64, Arc<Catalog>)>>,
}

impl Reader {
    /// `n` read connections to the floor's file.
    pub fn open(data_dir: &Path, n: usize) -> Reader {
        Reader {
            connections: (0..n)
                .map(|_| Mutex::new(super::schema::open(data_dir).expect("a read connection")))
                .collect(),
            cached: Mutex::new(None),
        }
    }

    fn catalog(&self) -> rusqlite::Result<Arc<Catalog>> {
        let commits = super::group_commit::COMMITS.load(Ordering::Acquire);
        if let Some((at, catalog)) = &*self.cached.lock().unwrap()
            && *at == commits
        {
            return Ok(catalog.clone());
        }
        let conn = self
            .connections
            .iter()
            .find_map(|c| c.try_lock().ok())
            .unwrap_or_else(|| self.connections[0].lock().unwrap());
        let catalog = Arc::new(read(&conn)?);
        *self.cached.lock().unwrap() = Some((commits, catalog.clone()));
        Ok(catalog)
    }

    /// The catalog page's HTML.
    pub fn page(&self) -> rusqlite::Result<String> {
        let catalog = self.catalog()?;
        Ok(render(&catalog))
    }
}

fn ids_sql(template: &str, n: usize) -> String {
    template.replace("{ids}", &vec!["?"; n].join(", "))
}

fn read(conn: &rusqlite::Connection) -> rusqlite::Result<Catalog> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    let result = read_in_snapshot(conn);
    conn.prepare_cached("COMMIT")?.execute([])?;
    result
}

fn read_in_snapshot(conn: &rusqlite::Connection) -> rusqlite::Result<Catalog> {
    let total: i64 = conn
        .prepare_cached("SELECT live_products FROM catalog_counts WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT p.id, p.position, p.name FROM products p WHERE (?1 OR p.archived_at IS NULL) \
             ORDER BY p.position, p.name, p.id LIMIT ?2 OFFSET ?3",
        )?
        .query_map(rusqlite::params![false, PAGE, 0], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let in_ids = rusqlite::params_from_iter(ids.iter());
    let mut cards: Vec<Card> = Vec::with_capacity(ids.len());
    let mut products = conn.prepare_cached(&ids_sql(
        "SELECT id, slug, name, description, archived_at IS NOT NULL FROM products WHERE id IN ({ids})",
        ids.len(),
    ))?;
    let mut by_id = std::collections::HashMap::new();
    for row in products.query_map(in_ids.clone(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (id, slug, name) = row?;
        by_id.insert(id, (slug, name));
    }
    for id in &ids {
        if let Some((slug, name)) = by_id.remove(id) {
            cards.push(Card {
                slug,
                name,
                price: i64::MAX,
                from: false,
                stock: 0,
                image: None,
            });
        }
    }
    let index: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut variants = conn.prepare_cached(&ids_sql(
        "SELECT v.id, v.product_id, v.sku, v.title, v.price_amount, v.currency, v.stock, v.active, \
         v.archived_at IS NOT NULL, v.net_grams FROM variants v WHERE v.product_id IN ({ids}) \
         AND v.archived_at IS NULL ORDER BY v.product_id, v.position, v.id",
        ids.len(),
    ))?;
    let mut rows = variants.query(in_ids.clone())?;
    while let Some(r) = rows.next()? {
        if let Some(card) = index
            .get(&r.get::<_, i64>(1)?)
            .and_then(|i| cards.get_mut(*i))
        {
            let price: i64 = r.get(4)?;
            card.from |= card.price != i64::MAX && card.price != price;
            card.price = card.price.min(price);
            card.stock += r.get::<_, i64>(6)?;
        }
    }
    let mut images = conn.prepare_cached(&ids_sql(
        "SELECT pi.product_id, pi.id, pi.hash, b.content_type, b.width, b.height, pi.alt FROM \
         product_images pi JOIN image_blobs b ON b.hash = pi.hash WHERE pi.product_id IN ({ids}) \
         AND pi.removed_at IS NULL ORDER BY pi.product_id, pi.position, pi.id",
        ids.len(),
    ))?;
    let mut rows = images.query(in_ids)?;
    while let Some(r) = rows.next()? {
        if let Some(card) = index
            .get(&r.get::<_, i64>(0)?)
            .and_then(|i| cards.get_mut(*i))
            && card.image.is_none()
        {
            card.image = Some((r.get(2)?, r.get(4)?, r.get(5)?, r.get(6)?));
        }
    }
    let collections = conn
        .prepare_cached(
            "SELECT c.slug, c.name, c.description, c.product_count, c.id, c.member_count FROM \
             collections c ORDER BY c.position, c.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let (shop, description, currency) = conn
        .prepare_cached("SELECT name, tagline, currency FROM shop_settings WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(Catalog {
        shop,
        description,
        currency,
        total,
        collections,
        cards,
    })
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// An inline stylesheet (7.5 KB; the pages' is 9.6 KB), built once.
fn stylesheet() -> &'static str {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSS.get_or_init(|| {
        (0..120)
            .map(|i| format!(".rule-{i:03}{{margin:0 auto;padding:.{i}rem 1rem;color:#1d2330}}\n"))
            .collect()
    })
}

fn price(out: &mut String, amount: i64, currency: &str) {
    let sign = if currency == "EUR" { "€" } else { currency };
    let _ = write!(out, "{sign}{}.{:02}", amount / 100, amount % 100);
}

fn render(c: &Catalog) -> String {
    let mut out = String::with_capacity(20_000);
    out.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Catalog · ",
    );
    escape(&mut out, &c.shop);
    out.push_str("</title><meta name=\"description\" content=\"");
    escape(&mut out, &c.description);
    out.push_str("\"><style>");
    out.push_str(stylesheet());
    out.push_str("</style></head><body><header class=\"site\"><a class=\"brand\" href=\"/\">");
    escape(&mut out, &c.shop);
    out.push_str("</a></header><main id=\"main\"><nav class=\"collections\"><a href=\"/\" aria-current=\"page\">All products</a>");
    for (slug, name) in &c.collections {
        out.push_str("<a href=\"/collections/");
        escape(&mut out, slug);
        out.push_str("\">");
        escape(&mut out, name);
        out.push_str("</a>");
    }
    let _ = write!(
        out,
        "</nav><h1>Catalog</h1><p>{} products</p><ul class=\"grid\">",
        c.total
    );
    for card in &c.cards {
        out.push_str("<li class=\"card\"><a href=\"/products/");
        escape(&mut out, &card.slug);
        out.push_str("\" tabindex=\"-1\">");
        if let Some((hash, w, h, alt)) = &card.image {
            let _ = write!(
                out,
                "<img src=\"/images/{hash}\" width=\"{w}\" height=\"{h}\" alt=\""
            );
            escape(&mut out, alt);
            out.push_str("\" loading=\"lazy\">");
        }
        out.push_str("</a><h2><a href=\"/products/");
        escape(&mut out, &card.slug);
        out.push_str("\">");
        escape(&mut out, &card.name);
        out.push_str("</a></h2><span class=\"price\">");
        if card.from {
            out.push_str("from ");
        }
        price(&mut out, card.price, &c.currency);
        out.push_str("</span>");
        out.push_str(if card.stock > 5 {
            "<span class=\"badge in-stock\">In stock</span>"
        } else {
            "<span class=\"badge low\">Only a few left</span>"
        });
        out.push_str("<form class=\"add\" method=\"post\" action=\"/cart/add\"><input type=\"hidden\" name=\"slug\" value=\"");
        escape(&mut out, &card.slug);
        out.push_str("\"><label class=\"qty\"><span class=\"visually-hidden\">Quantity of ");
        escape(&mut out, &card.name);
        out.push_str("</span><input type=\"number\" name=\"quantity\" value=\"1\" min=\"1\" max=\"99\" required></label><button class=\"primary\" type=\"submit\">Add to cart</button></form></li>");
    }
    out.push_str("</ul></main><footer class=\"site\"><p>");
    escape(&mut out, &c.shop);
    out.push_str("</p></footer></body></html>");
    out
}
