# 插件（app/desktop/src/gui/plugins.rs）
plugin-bundled_what = 随程序附带的{ $province }插件
plugin-not_bundled = 本程序没有附带{ $province }的插件
plugin-installed = 已安装 { $id }@{ $version }（{ $name }）
plugin-dev_warning = ；开发者模式：{ $warning }
plugin-reassessing = ；正在用新版本重新评估全部儿童，完成后请复核变化
plugin-install_failed = 安装 { $what } 失败：{ $error }
plugin-province = 省份 { $code }
plugin-install_file = 从文件安装插件…
plugin-choose_file = 选择省级插件（.wasm）
plugin-filter = 省级插件
plugin-waiting_dialog = 等待文件对话框…
plugin-sig_hint = 插件须附带同名 .wasm.sig 签名文件，且签名公钥已被本县信任（开发者模式除外）。
plugin-bundled_title = 随程序附带的示例插件（仅示例数据库可安装）
plugin-bundled_version = 本库已装版本：{ $version }
plugin-not_installed = 未安装
plugin-install_bundled = 安装{ $province }示例插件
