//! The embedded plugins are the ones in `plugins/`, signed with the demo
//! key that core knows as the demo key.

use hutong_bundled_plugins::{ALL, DEMO_PUBLIC_KEY, for_province};
use hutong_plugin_host::{Runtime, RuntimeConfig, signing};

#[test]
fn the_demo_key_is_the_one_core_refuses_outside_a_demo() {
    assert_eq!(
        DEMO_PUBLIC_KEY,
        hutong_core::plugin_registry::DEMO_PLUGIN_KEY
    );
}

#[test]
fn each_plugin_verifies_against_the_demo_key_and_declares_its_province() {
    assert_eq!(ALL.len(), 4);
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    for bundled in ALL {
        let path = dir.path().join(bundled.file_name);
        std::fs::write(&path, bundled.wasm).unwrap();
        std::fs::write(signing::signature_path(&path), bundled.signature).unwrap();
        let key = signing::verify(&path, bundled.wasm, &[DEMO_PUBLIC_KEY.to_string()])
            .unwrap_or_else(|e| panic!("{}: {e}", bundled.file_name));
        assert_eq!(key, DEMO_PUBLIC_KEY);
        // Another key does not verify it.
        let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assert!(signing::verify(&path, bundled.wasm, &[other.to_string()]).is_err());
        let plugin = runtime.load_bytes(&path, bundled.wasm).unwrap();
        assert_eq!(
            plugin.manifest().province_code,
            bundled.province_code,
            "{}",
            bundled.file_name
        );
    }
    assert_eq!(
        for_province("41").map(|p| p.file_name),
        Some("hutong_plugin_henan.wasm")
    );
    assert!(for_province("11").is_none());
}
