//! `/storage/` (the persisted RDDs and DataFrames) and `/storage/rdd/?id=N` (one of them and
//! its cached blocks).

use super::PageError;
use super::layout::{Shell, Tab, header_row};
use crate::ui::master_page::bytes_text;
use crate::ui::store::{AppState, RddRecord};
use maud::{Markup, html};

/// The share of `r`'s partitions cached, as Spark prints it (`100%`).
pub fn fraction_cached(r: &RddRecord) -> String {
    match r.num_partitions {
        0 => "0%".into(),
        n => format!("{:.0}%", r.blocks.len() as f64 * 100.0 / n as f64),
    }
}

fn rdd_href(shell: &Shell, rdd_id: u64) -> String {
    shell.href(&format!("/storage/rdd/?id={rdd_id}"))
}

/// `/storage/`.
pub fn storage_page(shell: &Shell, s: &AppState) -> Markup {
    let content = html! {
        table #storage-table {
            (header_row(&["Name", "Storage level", "Cached partitions", "Fraction cached",
                "Size in memory", "Size on disk"]))
            tbody {
                @if s.rdds.is_empty() { tr.empty { td colspan="6" { "Nothing is persisted." } } }
                @for r in s.rdds.values() {
                    tr.rdd data-rdd-id=(r.rdd_id) {
                        td.rdd-name { a href=(rdd_href(shell, r.rdd_id)) { (r.name) } }
                        td.rdd-level { (r.level) }
                        td.rdd-cached-partitions { (r.blocks.len()) }
                        td.rdd-fraction-cached { (fraction_cached(r)) }
                        td.rdd-memory { (bytes_text(r.memory_bytes())) }
                        td.rdd-disk { (bytes_text(r.disk_bytes())) }
                    }
                }
            }
        }
    };
    shell.page(Tab::Storage, "Storage", "Storage", content)
}

/// `/storage/rdd/?id=N`.
pub fn rdd_page(shell: &Shell, s: &AppState, rdd_id: u64) -> Result<Markup, PageError> {
    let Some(r) = s.rdds.get(&rdd_id) else {
        return Err(PageError::NotFound(format!(
            "no persisted RDD {rdd_id} is known"
        )));
    };
    let content = html! {
        dl.summary {
            dt { "Name" } dd.rdd-summary-name { (r.name) }
            dt { "Storage level" } dd { (r.level) }
            dt { "Partitions" } dd { (r.num_partitions) }
            dt { "Cached partitions" } dd { (r.blocks.len()) " (" (fraction_cached(r)) ")" }
            dt { "Size in memory" } dd { (bytes_text(r.memory_bytes())) }
            dt { "Size on disk" } dd { (bytes_text(r.disk_bytes())) }
        }
        h2 { "Blocks (" (r.blocks.len()) ")" }
        table #blocks-table {
            (header_row(&["Block", "Partition", "Executor", "Size in memory", "Size on disk"]))
            tbody {
                @for (partition, b) in &r.blocks {
                    tr.block data-partition=(partition) {
                        td.block-name { "rdd_" (r.rdd_id) "_" (partition) }
                        td.block-partition { (partition) }
                        td.block-executor { (b.executor_id) }
                        td.block-memory { (bytes_text(b.memory_bytes)) }
                        td.block-disk { (bytes_text(b.disk_bytes)) }
                    }
                }
            }
        }
    };
    let title = format!("RDD {rdd_id}");
    let heading = format!("RDD storage info for {}", r.name);
    Ok(shell.page(Tab::Storage, &title, &heading, content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{EVIL, SHELL, assert_escaped, cells, store};
    use crate::ui::store::BlockRecord;

    #[test]
    fn the_storage_table_sums_an_rdds_blocks() {
        let st = store();
        let html = st.read(|s| storage_page(&SHELL, s)).into_string();
        assert_escaped(&html);
        assert!(html.contains(r#"<tr class="rdd" data-rdd-id="7">"#));
        assert!(html.contains(r#"<a href="/b/storage/rdd/?id=7">&lt;script&gt;"#));
        assert_eq!(
            cells(&html, "rdd-level"),
            ["Memory Deserialized 1x Replicated"]
        );
        assert_eq!(cells(&html, "rdd-cached-partitions"), ["4"]);
        assert_eq!(cells(&html, "rdd-fraction-cached"), ["100%"]);
        assert_eq!(cells(&html, "rdd-memory"), ["3.9 KiB"]);
        assert_eq!(cells(&html, "rdd-disk"), ["0 B"]);
    }

    #[test]
    fn an_rdd_page_lists_its_blocks() {
        let mut s = store().snapshot();
        let r = s.rdds.get_mut(&7).unwrap();
        r.blocks.insert(
            2,
            BlockRecord {
                executor_id: "driver".into(),
                memory_bytes: 0,
                disk_bytes: 5 << 20,
            },
        );
        let html = rdd_page(&SHELL, &s, 7).unwrap().into_string();
        assert_escaped(&html);
        assert_eq!(
            cells(&html, "rdd-summary-name"),
            [EVIL.replace('<', "&lt;").replace('>', "&gt;")]
        );
        assert_eq!(html.matches("<tr class=\"block\"").count(), 4);
        assert_eq!(
            cells(&html, "block-name"),
            ["rdd_7_0", "rdd_7_1", "rdd_7_2", "rdd_7_3"]
        );
        assert_eq!(cells(&html, "block-partition"), ["0", "1", "2", "3"]);
        assert_eq!(cells(&html, "block-executor"), ["driver"; 4]);
        assert_eq!(
            cells(&html, "block-memory"),
            ["1000 B", "1000 B", "0 B", "1000 B"]
        );
        assert_eq!(cells(&html, "block-disk"), ["0 B", "0 B", "5.0 MiB", "0 B"]);
        assert_eq!(
            rdd_page(&SHELL, &s, 8).unwrap_err(),
            PageError::NotFound("no persisted RDD 8 is known".into())
        );
    }

    #[test]
    fn fractions_round_as_spark_prints_them() {
        let mut r = store().snapshot().rdds.remove(&7).unwrap();
        r.num_partitions = 6;
        assert_eq!(fraction_cached(&r), "67%");
        r.blocks.clear();
        assert_eq!(fraction_cached(&r), "0%");
        r.num_partitions = 0;
        assert_eq!(fraction_cached(&r), "0%");
    }
}
