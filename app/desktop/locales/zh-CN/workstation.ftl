ws-user_and_role = { $name }（{ $role }）
ws-setting = { $label }：{ $value }
ws-renderer_gl = OpenGL { $version }（{ $renderer }）
ws-renderer_wgpu = { $backend }（{ $adapter }）
ws-renderer_wgpu_software = { $backend }（{ $adapter }，软件渲染）
ws-renderer_unknown = 未知
ws-leftovers_found = 数据库 { $path } 不存在，但找到了它的密钥文件或保留的副本：请在窗口中恢复
ws-first_run = 首次运行：正在创建示例数据库 { $path } …
ws-creating_database = 创建数据库 { $path }
ws-making_demo = 生成示例数据
ws-window_title = 护童 Hutong
ws-no_window = 无法打开窗口：{ $error }

## When no file dialog can open (typed_path.rs)
typed-title = 选择文件
typed-why = 无法打开系统的文件对话框（桌面缺少文件选择服务）：请直接输入完整路径。
typed-path = 路径
typed-ok = 确定
typed-empty = 请输入路径
typed-no_such_file = 文件不存在：{ $path }
typed-no_such_folder = 文件夹不存在：{ $path }
typed-is_a_folder = { $path } 是文件夹，请在后面加上文件名
ws-version = { $version }（commit { $commit }，插件协议 { $contract }）
