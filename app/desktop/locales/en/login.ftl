login-language = Language
login-not_a_database = Cannot open { $path }: it is not a Hutong database, or its .keys key file is missing
login-database = Database: { $path }
login-open_other = Open another database…
login-open_dialog_title = Open a county database
login-database_files = Hutong database
login-encrypted_title = Database encrypted
login-encrypted_body = This database was made by an older version and was not encrypted; this log-in has encrypted it and replaced the plaintext file.
login-recovery_code = County recovery code (shown only this once; write it down or print it and lock it away):
login-needing_reset = These accounts can log in only after an administrator resets their password in Users & permissions: { $names }
login-recovery_noted = I have noted the recovery code
# Joins a list of names in running text.
list-separator = ,{" "}
