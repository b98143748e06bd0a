ws-user_and_role = { $name } ({ $role })
ws-setting = { $label }: { $value }
ws-renderer_gl = OpenGL { $version } ({ $renderer })
ws-renderer_wgpu = { $backend } ({ $adapter })
ws-renderer_wgpu_software = { $backend } ({ $adapter }, software rendering)
ws-renderer_unknown = unknown
ws-leftovers_found = Database { $path } does not exist, but its key file or a kept copy was found: recover it in the window
ws-first_run = First run: creating the demo database { $path } …
ws-creating_database = Creating database { $path }
ws-making_demo = Making the demo data
ws-window_title = Hutong
ws-no_window = Cannot open the window: { $error }

## When no file dialog can open (typed_path.rs)
typed-title = Choose a file
typed-why = The system's file dialog could not open (the desktop has no file chooser service): type the full path instead.
typed-path = Path
typed-ok = OK
typed-empty = Type a path
typed-no_such_file = No such file: { $path }
typed-no_such_folder = No such folder: { $path }
typed-is_a_folder = { $path } is a folder; add a file name after it
ws-version = { $version } (commit { $commit }, plugin contract { $contract })
