//! The stage DAG of a job as an inline SVG drawing: one box per stage (`g.dag-stage`), an
//! arrow from each parent to its child, stages laid out in columns by depth (a stage without
//! parents in the job has depth 0, any other one more than its deepest parent). Boxes are
//! colored by the stage's state through the `dag-<state>` classes of the stylesheet (the CSP
//! allows no inline style) and link to the stage's page.

use super::layout::stage_state_word;
use crate::ui::store::StageState;
use ember_scheduler::events::StagePlan;
use maud::{Markup, html};
use std::collections::BTreeMap;

const BOX_WIDTH: u64 = 190;
const BOX_HEIGHT: u64 = 58;
const GAP_X: u64 = 60;
const GAP_Y: u64 = 22;
const MARGIN: u64 = 12;
/// Characters of a stage's name shown in its box (the whole name is its tooltip).
const NAME_CHARS: usize = 26;

/// The depth of every stage of `stages`: 0 without parents among `stages`, else one more than
/// its deepest parent's. Parents outside `stages` are ignored, and a (malformed) cycle stops
/// growing after `stages.len()` rounds instead of looping.
pub fn depths(stages: &[StagePlan]) -> BTreeMap<u64, usize> {
    let mut depth: BTreeMap<u64, usize> = stages.iter().map(|s| (s.stage_id, 0)).collect();
    for _ in 0..stages.len() {
        let mut changed = false;
        for s in stages {
            let want = s
                .parents
                .iter()
                .filter_map(|p| depth.get(p))
                .map(|d| d + 1)
                .max()
                .unwrap_or(0)
                .min(stages.len());
            if depth.get(&s.stage_id) != Some(&want) {
                depth.insert(s.stage_id, want);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
}

/// Where each stage's box goes: (column, row), columns by depth, rows in plan order.
fn positions(stages: &[StagePlan]) -> BTreeMap<u64, (u64, u64)> {
    let depth = depths(stages);
    let mut rows_used: BTreeMap<usize, u64> = BTreeMap::new();
    let mut at = BTreeMap::new();
    for s in stages {
        if at.contains_key(&s.stage_id) {
            continue;
        }
        let column = depth[&s.stage_id];
        let row = rows_used.entry(column).or_insert(0);
        at.insert(s.stage_id, (column as u64, *row));
        *row += 1;
    }
    at
}

fn left(column: u64) -> u64 {
    MARGIN + column * (BOX_WIDTH + GAP_X)
}

fn top(row: u64) -> u64 {
    MARGIN + row * (BOX_HEIGHT + GAP_Y)
}

/// The first `NAME_CHARS` characters of `name`, with an ellipsis when cut.
fn short_name(name: &str) -> String {
    match name.char_indices().nth(NAME_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// The drawing of a job's stages: `stages` as planned (parents first), `states` their states
/// in the job (missing ones are pending), `href` the link of each stage's box (none: no link).
pub fn stage_dag(
    stages: &[StagePlan],
    states: &BTreeMap<u64, StageState>,
    href: &dyn Fn(u64) -> Option<String>,
) -> Markup {
    let at = positions(stages);
    let columns = at.values().map(|(c, _)| c + 1).max().unwrap_or(0);
    let rows = at.values().map(|(_, r)| r + 1).max().unwrap_or(0);
    let width = 2 * MARGIN + columns * BOX_WIDTH + columns.saturating_sub(1) * GAP_X;
    let height = 2 * MARGIN + rows * BOX_HEIGHT + rows.saturating_sub(1) * GAP_Y;
    let edges: Vec<(u64, u64)> = stages
        .iter()
        .flat_map(|s| s.parents.iter().map(move |p| (*p, s.stage_id)))
        .filter(|(p, _)| at.contains_key(p))
        .collect();
    html! {
        svg #dag .dag xmlns="http://www.w3.org/2000/svg" role="img" width=(width) height=(height)
            viewBox={ "0 0 " (width) " " (height) } {
            title { "The stages of the job, parents on the left" }
            defs {
                marker #dag-arrow viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8"
                    markerHeight="8" orient="auto-start-reverse" {
                    path .dag-arrowhead d="M 0 0 L 10 5 L 0 10 z" {}
                }
            }
            @for (parent, child) in &edges {
                @let (pc, pr) = at[parent];
                @let (cc, cr) = at[child];
                @let (x1, y1) = (left(pc) + BOX_WIDTH, top(pr) + BOX_HEIGHT / 2);
                @let (x2, y2) = (left(cc), top(cr) + BOX_HEIGHT / 2);
                @let bend = (x1 + x2) / 2;
                path .dag-edge data-from=(parent) data-to=(child) marker-end="url(#dag-arrow)"
                    d={ "M " (x1) " " (y1) " C " (bend) " " (y1) ", " (bend) " " (y2) ", " (x2) " " (y2) } {}
            }
            @for s in stages {
                @let (column, row) = at[&s.stage_id];
                @let state = states.get(&s.stage_id).copied().unwrap_or(StageState::Pending);
                @let word = stage_state_word(state);
                @let (x, y) = (left(column), top(row));
                g class={ "dag-stage dag-" (word.to_ascii_lowercase()) } data-stage-id=(s.stage_id)
                    data-depth=(column) {
                    title { "Stage " (s.stage_id) ": " (s.name) " (" (word) ")" }
                    @let body = html! {
                        rect x=(x) y=(y) width=(BOX_WIDTH) height=(BOX_HEIGHT) rx="6" {}
                        text .dag-title x=(x + 10) y=(y + 20) { "Stage " (s.stage_id) " · " (word) }
                        text .dag-name x=(x + 10) y=(y + 40) { (short_name(&s.name)) }
                    };
                    @match href(s.stage_id) {
                        Some(link) => { a href=(link) { (body) } }
                        None => { (body) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: u64, parents: &[u64]) -> StagePlan {
        StagePlan {
            stage_id: id,
            name: format!("map at job.rs:{id}"),
            num_tasks: 2,
            parents: parents.to_vec(),
            shuffle_map: true,
        }
    }

    /// The values of attribute `name` of the elements that open with `open`, in order.
    fn attrs(svg: &str, open: &str, name: &str) -> Vec<String> {
        svg.split(open)
            .skip(1)
            .map(|rest| {
                let tag = format!(" {}", &rest[..rest.find('>').unwrap()]);
                let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                tag[at..at + tag[at..].find('"').unwrap()].to_string()
            })
            .collect()
    }

    #[test]
    fn depth_is_one_more_than_the_deepest_parent() {
        // 0 and 1 are sources, 2 joins them, 3 reads 2 and 0.
        let stages = [
            plan(0, &[]),
            plan(1, &[]),
            plan(2, &[0, 1]),
            plan(3, &[2, 0]),
        ];
        let d = depths(&stages);
        assert_eq!(
            d.into_iter().collect::<Vec<_>>(),
            [(0, 0), (1, 0), (2, 1), (3, 2)]
        );
        // Unknown parents count for nothing; a cycle ends instead of looping.
        assert_eq!(depths(&[plan(5, &[99])])[&5], 0);
        let cycle = depths(&[plan(0, &[1]), plan(1, &[0])]);
        assert!(cycle.values().all(|d| *d <= 2), "{cycle:?}");
    }

    #[test]
    fn boxes_are_stages_and_edges_are_parent_links() {
        let stages = [plan(0, &[]), plan(1, &[]), plan(2, &[0, 1]), plan(3, &[2])];
        let states = BTreeMap::from([
            (0, StageState::Complete),
            (1, StageState::Skipped),
            (2, StageState::Active),
        ]);
        let link = |s: u64| (s != 1).then(|| format!("/b/stages/stage/?id={s}&attempt=0"));
        let svg = stage_dag(&stages, &states, &link).into_string();
        assert!(svg.starts_with("<svg class=\"dag\" id=\"dag\""), "{svg}");
        assert_eq!(attrs(&svg, "<g ", "data-stage-id"), ["0", "1", "2", "3"]);
        assert_eq!(attrs(&svg, "<g ", "data-depth"), ["0", "0", "1", "2"]);
        assert_eq!(
            attrs(&svg, "<g ", "class"),
            [
                "dag-stage dag-complete",
                "dag-stage dag-skipped",
                "dag-stage dag-active",
                "dag-stage dag-pending"
            ]
        );
        let from = attrs(&svg, "<path class=\"dag-edge\"", "data-from");
        let to = attrs(&svg, "<path class=\"dag-edge\"", "data-to");
        let edges: Vec<_> = from.into_iter().zip(to).collect();
        let e = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(edges, [e("0", "2"), e("1", "2"), e("2", "3")]);
        // Boxes of one column stack; columns go right with depth.
        assert_eq!(attrs(&svg, "<rect ", "x"), ["12", "12", "262", "512"]);
        assert_eq!(attrs(&svg, "<rect ", "y"), ["12", "92", "12", "12"]);
        // Links where given, none for stage 1; no inline style.
        assert_eq!(
            attrs(&svg, "<a ", "href"),
            [
                "/b/stages/stage/?id=0&amp;attempt=0",
                "/b/stages/stage/?id=2&amp;attempt=0",
                "/b/stages/stage/?id=3&amp;attempt=0"
            ]
        );
        assert!(!svg.contains("style"));
        // Every SVG element is closed (no HTML void elements inside the drawing).
        assert_eq!(
            svg.matches("<rect ").count(),
            svg.matches("</rect>").count()
        );
        assert_eq!(
            svg.matches("<path ").count(),
            svg.matches("</path>").count()
        );
    }

    #[test]
    fn names_are_escaped_and_shortened() {
        let mut s = plan(0, &[]);
        s.name = "<script>alert(1)</script> and a long tail".into();
        let svg = stage_dag(&[s], &BTreeMap::new(), &|_| None).into_string();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; and a long tail"));
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; …</text>"),
            "{svg}"
        );
        assert!(
            stage_dag(&[], &BTreeMap::new(), &|_| None)
                .into_string()
                .contains("width=\"24\"")
        );
    }
}
