login-language = 语言
login-not_a_database = 无法打开 { $path }：不是护童数据库，或缺少同名的 .keys 密钥文件
login-database = 数据库：{ $path }
login-open_other = 打开其他数据库…
login-open_dialog_title = 打开县数据库
login-database_files = 护童数据库
login-encrypted_title = 数据库已加密
login-encrypted_body = 此数据库由旧版本创建，未加密；本次登录已将其加密，原明文文件已被替换。
login-recovery_code = 县级恢复码（只显示这一次，请抄写或打印后锁好）：
login-needing_reset = 以下账户需由管理员在“用户与权限”中重设密码后才能登录：{ $names }
login-recovery_noted = 我已记下恢复码
# Joins a list of names in running text.
list-separator = 、
