//! Elements of derived serde types (structs, enums, maps, nested options) through shuffles,
//! caches and disk.

use crate::common::{ctx, sorted};
use ember::StorageLevel;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
struct City {
    name: String,
    country: String,
    population: u64,
    mayor: Option<String>,
    districts: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
struct CountryKey {
    code: String,
    continent: u8,
}

fn city(
    name: &str,
    country: &str,
    population: u64,
    mayor: Option<&str>,
    districts: &[&str],
) -> City {
    City {
        name: name.into(),
        country: country.into(),
        population,
        mayor: mayor.map(str::to_string),
        districts: districts.iter().map(|d| d.to_string()).collect(),
    }
}

#[test]
fn derived_serde_structs_through_shuffle_and_cache() {
    let ctx = ctx();
    let cities = vec![
        city(
            "Paris",
            "FR",
            2_100_000,
            Some("Hidalgo"),
            &["Marais", "Montmartre"],
        ),
        city("Lyon", "FR", 520_000, None, &[]),
        city("Berlin", "DE", 3_700_000, Some("Wegner"), &["Mitte"]),
        city(
            "Hamburg",
            "DE",
            1_900_000,
            None,
            &["Altona", "Eimsbuettel", "Nord"],
        ),
        city("Oslo", "NO", 700_000, Some("Stokke"), &["Frogner"]),
    ];
    let rdd = ctx.parallelize(cities.clone(), 3).cache();
    assert_eq!(rdd.collect().unwrap(), cities);
    // Second read comes from the cache (Arrow batches) and must round-trip exactly.
    assert_eq!(rdd.collect().unwrap(), cities);
    assert_eq!(ctx.rdd_storage_info(rdd.id()).cached_partitions, 3);

    let by_country = rdd
        .key_by(|c| CountryKey {
            code: c.country.clone(),
            continent: 1,
        })
        .group_by_key()
        .map_values(|mut v| {
            v.sort();
            v
        });
    let got = sorted(by_country.collect().unwrap());
    let key = |c: &str| CountryKey {
        code: c.into(),
        continent: 1,
    };
    assert_eq!(
        got,
        vec![
            (key("DE"), vec![cities[2].clone(), cities[3].clone()]),
            (key("FR"), vec![cities[1].clone(), cities[0].clone()]),
            (key("NO"), vec![cities[4].clone()]),
        ]
    );
    let pops = sorted(
        rdd.map(|c| (c.country.clone(), c.population))
            .reduce_by_key(|a, b| a + b)
            .collect()
            .unwrap(),
    );
    assert_eq!(
        pops,
        vec![
            ("DE".to_string(), 5_600_000),
            ("FR".to_string(), 2_620_000),
            ("NO".to_string(), 700_000)
        ]
    );
    // Structs as keys of a join and of distinct.
    let dup = rdd.union(&rdd).distinct();
    assert_eq!(sorted(dup.collect().unwrap()), sorted(cities.clone()));
    let mayors = rdd
        .filter(|c| c.mayor.is_some())
        .key_by(|c| c.clone())
        .join(&rdd.key_by(|c| c.clone()).map_values(|c| c.districts.len()))
        .map(|(c, (_, n))| (c.name, n));
    assert_eq!(
        sorted(mayors.collect().unwrap()),
        vec![
            ("Berlin".to_string(), 1),
            ("Oslo".to_string(), 1),
            ("Paris".to_string(), 2)
        ]
    );
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
enum Color {
    Red,
    Green,
    Blue,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Shape {
    Circle(f64),
    Rect { w: f64, h: f64 },
    Empty,
}

#[test]
fn enums_as_keys_and_values() {
    let ctx = ctx();
    let counts = ctx
        .parallelize(
            vec![
                (Color::Red, 1),
                (Color::Green, 2),
                (Color::Red, 3),
                (Color::Blue, 4),
            ],
            3,
        )
        .reduce_by_key(|a, b| a + b);
    assert_eq!(
        sorted(counts.collect().unwrap()),
        vec![(Color::Red, 4), (Color::Green, 2), (Color::Blue, 4)]
    );
    let shapes = vec![
        Shape::Circle(1.5),
        Shape::Rect { w: 2.0, h: 3.0 },
        Shape::Empty,
        Shape::Circle(-0.25),
    ];
    let cached = ctx
        .parallelize(shapes.clone(), 3)
        .persist(StorageLevel::MEMORY_AND_DISK);
    assert_eq!(cached.collect().unwrap(), shapes);
    assert_eq!(cached.collect().unwrap(), shapes);
    let disk = ctx
        .parallelize(shapes.clone(), 2)
        .persist(StorageLevel::DISK_ONLY);
    disk.count().unwrap();
    assert_eq!(disk.collect().unwrap(), shapes);
}

fn map_of(entries: &[(&str, u32)]) -> HashMap<String, u32> {
    entries.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn hash_maps_with_different_keys_through_cache_and_shuffle() {
    let ctx = ctx();
    let maps = vec![
        map_of(&[("x", 1)]),
        map_of(&[("y", 2), ("z", 3)]),
        map_of(&[]),
    ];
    let cached = ctx.parallelize(maps.clone(), 1).cache();
    assert_eq!(cached.collect().unwrap(), maps);
    assert_eq!(cached.collect().unwrap(), maps, "read back from the cache");
    let grouped = ctx
        .parallelize(
            vec![(1u8, map_of(&[("x", 1)])), (1, map_of(&[("y", 2)]))],
            2,
        )
        .group_by_key()
        .collect()
        .unwrap();
    assert_eq!(grouped.len(), 1);
    assert_eq!(grouped[0].1.len(), 2);
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Tagged {
    id: u32,
    attrs: HashMap<String, u32>,
}

#[test]
fn struct_with_a_map_and_an_empty_partition() {
    let ctx = ctx();
    let items = vec![
        Tagged {
            id: 1,
            attrs: map_of(&[("a", 1)]),
        },
        Tagged {
            id: 2,
            attrs: map_of(&[("a", 2)]),
        },
    ];
    // Two elements in three partitions: partition 0 is empty.
    let cached = ctx.parallelize(items.clone(), 3).cache();
    assert_eq!(cached.collect().unwrap(), items);
    assert_eq!(cached.collect().unwrap(), items);
}

#[test]
fn maps_with_integer_keys() {
    let ctx = ctx();
    let a: BTreeMap<u32, String> = [(1, "one".to_string())].into_iter().collect();
    let b: BTreeMap<u32, String> = [(2, "two".to_string()), (3, "three".to_string())]
        .into_iter()
        .collect();
    let cached = ctx.parallelize(vec![a.clone(), b.clone()], 1).cache();
    assert_eq!(cached.collect().unwrap(), vec![a.clone(), b.clone()]);
    assert_eq!(cached.collect().unwrap(), vec![a, b]);
}

#[test]
fn nested_options_from_an_outer_join_survive_a_cache() {
    let ctx = ctx();
    let left = ctx.parallelize(vec![(1, "a".to_string()), (2, "b".to_string())], 2);
    let right = ctx.parallelize(vec![(1, None::<i32>), (3, Some(3))], 2);
    let joined = left.full_outer_join(&right).cache();
    let expected = vec![
        (1, (Some("a".to_string()), Some(None))),
        (2, (Some("b".to_string()), None)),
        (3, (None, Some(Some(3)))),
    ];
    assert_eq!(sorted(joined.collect().unwrap()), expected);
    assert_eq!(
        sorted(joined.collect().unwrap()),
        expected,
        "read back from the cache"
    );
}
