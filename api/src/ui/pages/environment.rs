//! `/environment/`: the application (id, name, master, user, start) then its configuration,
//! secret values hidden.

use super::layout::{Shell, Tab, header_row, time_text};
use crate::ui::event_log::redacted;
use crate::ui::store::AppState;
use maud::{Markup, html};

/// `/environment/`. The configuration is redacted when recorded; it is redacted again here,
/// so that an event log written by other means cannot show a secret.
pub fn environment_page(shell: &Shell, s: &AppState) -> Markup {
    let a = &s.app;
    let start = time_text(Some(a.start));
    let application = [
        ("Application ID", a.id.as_str()),
        ("Application name", a.name.as_str()),
        ("Master", a.master.as_str()),
        ("User", a.user.as_str()),
        ("Start time", start.as_str()),
    ];
    let conf = redacted(s.environment.iter().cloned());
    let content = html! {
        table #environment-table {
            (header_row(&["Name", "Value"]))
            tbody {
                @for (name, value) in application {
                    tr.property.runtime { td.property-name { (name) } td.property-value { (value) } }
                }
            }
            tbody {
                @for (name, value) in &conf {
                    tr.property { td.property-name { (name) } td.property-value { (value) } }
                }
            }
        }
    };
    shell.page(Tab::Environment, "Environment", "Environment", content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::pages::fixture::{EVIL, assert_escaped, cells, store};

    #[test]
    fn the_application_then_its_settings_with_secrets_hidden() {
        let shell = Shell {
            base: "",
            app_name: EVIL,
        };
        let st = store();
        let html = st.read(|s| environment_page(&shell, s)).into_string();
        assert_escaped(&html);
        let names = cells(&html, "property-name");
        let values = cells(&html, "property-value");
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
        assert_eq!(
            names,
            [
                "Application ID",
                "Application name",
                "Master",
                "User",
                "Start time",
                "ember.app.name",
                "ember.authenticate.secret",
                "ember.master"
            ]
        );
        assert_eq!(
            values,
            [
                "app-1",
                escaped,
                "local[2]",
                "ada",
                "2023-11-14 22:13:20",
                escaped,
                "*********(redacted)",
                "local[2]"
            ]
        );
        assert!(!html.contains("hunter2"));
    }
}
