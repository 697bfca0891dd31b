//! Spark SQL functions DataFusion lacks, registered in every Ember session so that SQL text
//! (the `ember sql` shell, `spark.sql`) and the Python `functions` module share them:
//!
//! - `split(str, regex [, limit])`: the string split around matches of a regular expression,
//!   as Spark's (Java's `String.split`): no leading empty string for a zero-width match at the
//!   start, `limit > 0` keeps at most `limit` parts (the last holds the rest), `limit <= 0`
//!   splits everywhere and keeps trailing empty strings; an empty pattern splits into
//!   characters.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, ListBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use regex::Regex;
use std::sync::Arc;

/// Registers the functions of this module in `session`.
pub(crate) fn register(session: &SessionContext) {
    session.register_udf(ScalarUDF::from(SparkSplit::new()));
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkSplit {
    signature: Signature,
}

impl SparkSplit {
    fn new() -> Self {
        SparkSplit {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// The parts of `s` split around matches of `re` (Java's `String.split(regex, limit)`).
fn split_parts<'a>(s: &'a str, re: &Regex, limit: i64, out: &mut Vec<&'a str>) {
    out.clear();
    if re.as_str().is_empty() {
        out.extend(s.char_indices().map(|(i, c)| &s[i..i + c.len_utf8()]));
        return;
    }
    let mut start = 0;
    for m in re.find_iter(s) {
        if limit > 0 && out.len() as i64 == limit - 1 {
            break;
        }
        if m.end() == 0 {
            continue;
        }
        out.push(&s[start..m.start()]);
        start = m.end();
    }
    out.push(&s[start..]);
}

impl ScalarUDFImpl for SparkSplit {
    fn name(&self) -> &str {
        "split"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args.len() {
            2 => Ok(vec![DataType::Utf8, DataType::Utf8]),
            3 => Ok(vec![DataType::Utf8, DataType::Utf8, DataType::Int64]),
            n => Err(DataFusionError::Plan(format!(
                "split takes (str, regex) or (str, regex, limit), got {n} arguments"
            ))),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::Utf8,
            true,
        ))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let strings = cast(&arrays[0], &DataType::Utf8)?;
        let patterns = cast(&arrays[1], &DataType::Utf8)?;
        let limits: Option<ArrayRef> = match arrays.get(2) {
            Some(a) => Some(cast(a, &DataType::Int64)?),
            None => None,
        };
        let strings = strings.as_string::<i32>();
        let patterns = patterns.as_string::<i32>();
        let limits: Option<&Int64Array> = limits.as_ref().map(|a| a.as_primitive());
        let mut builder = ListBuilder::new(StringBuilder::new());
        let mut compiled: Option<(String, Regex)> = None;
        let mut parts = Vec::new();
        for i in 0..strings.len() {
            let limit = limits.map_or(Some(-1), |l| (!l.is_null(i)).then(|| l.value(i)));
            if strings.is_null(i) || patterns.is_null(i) || limit.is_none() {
                builder.append_null();
                continue;
            }
            let pattern = patterns.value(i);
            if compiled.as_ref().is_none_or(|(p, _)| p != pattern) {
                let re = Regex::new(pattern).map_err(|e| {
                    DataFusionError::Execution(format!(
                        "split: invalid regular expression {pattern:?}: {e}"
                    ))
                })?;
                compiled = Some((pattern.to_string(), re));
            }
            let Some((_, re)) = compiled.as_ref() else {
                continue;
            };
            split_parts(strings.value(i), re, limit.unwrap_or(-1), &mut parts);
            for p in &parts {
                builder.values().append_value(p);
            }
            builder.append(true);
        }
        let out: ArrayRef = Arc::new(builder.finish());
        Ok(ColumnarValue::Array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str, p: &str, limit: i64) -> Vec<String> {
        let mut out = Vec::new();
        split_parts(s, &Regex::new(p).unwrap(), limit, &mut out);
        out.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn split_follows_java_string_split() {
        // Spark's documented examples: split('oneAtwoBthreeC', '[ABC]') and with limits.
        assert_eq!(
            split("oneAtwoBthreeC", "[ABC]", -1),
            ["one", "two", "three", ""]
        );
        assert_eq!(split("oneAtwoBthreeC", "[ABC]", 2), ["one", "twoBthreeC"]);
        assert_eq!(split("a b  c", " ", -1), ["a", "b", "", "c"]);
        assert_eq!(split("  a", "\\s+", -1), ["", "a"]);
        assert_eq!(split("abc", "", -1), ["a", "b", "c"]);
        assert_eq!(split("abc", "x*", -1), ["a", "b", "c", ""]);
    }
}
