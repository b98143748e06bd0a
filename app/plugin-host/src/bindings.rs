//! Host-side bindings for `schemas/wit/v1`. Private: other crates see core types.

wasmtime::component::bindgen!({
    path: "../../schemas/wit/v1",
    world: "province-plugin",
});
