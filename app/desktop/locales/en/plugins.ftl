# Plugins (app/desktop/src/gui/plugins.rs)
plugin-bundled_what = the { $province } plugin bundled with the program
plugin-not_bundled = This program carries no plugin for { $province }
plugin-installed = Installed { $id }@{ $version } ({ $name })
plugin-dev_warning = ; developer mode: { $warning }
plugin-reassessing = ; re-assessing all children with the new version, review the changes when it is done
plugin-install_failed = Installing { $what } failed: { $error }
plugin-province = Province { $code }
plugin-install_file = Install plugin from file…
plugin-choose_file = Choose a province plugin (.wasm)
plugin-filter = Province plugin
plugin-waiting_dialog = Waiting for the file dialog…
plugin-sig_hint = A plugin needs its signature file (same name, .wasm.sig), signed with a key this county trusts (except in developer mode).
plugin-bundled_title = Sample plugins bundled with the program (demo databases only)
plugin-bundled_version = Installed here: { $version }
plugin-not_installed = Not installed
plugin-install_bundled = Install the { $province } sample plugin
