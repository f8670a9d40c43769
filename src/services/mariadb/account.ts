/** The account and files both platforms make for the mcp topic (checkers and `lab mcp` read them). */
export const MARIADB_ADMIN_USER = 'vaultadmin';
/** Secret files in the lab folder: the account as JSON, its password bare (for `password=@file`), and root's (kube). */
export const MARIADB_FILES = { admin: 'mariadb-admin.json', password: 'mariadb-admin.password', root: 'mariadb-root.password' } as const;

export interface MariadbAdmin {
  username: string;
  password: string;
  host: string;
  port: number;
}

/** The databases and the admin account, as both platforms seed them (the password escaped for an SQL string). */
export function seedSql(password: string): string {
  const pw = password.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return [
    'CREATE DATABASE IF NOT EXISTS db1;',
    'CREATE DATABASE IF NOT EXISTS db2;',
    'CREATE TABLE IF NOT EXISTS db1.customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL);',
    "INSERT IGNORE INTO db1.customers VALUES (1, 'Kim'), (2, 'Lee'), (3, 'Park');",
    'CREATE TABLE IF NOT EXISTS db2.orders (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(64) NOT NULL);',
    "INSERT IGNORE INTO db2.orders VALUES (1, 'keyboard');",
    `CREATE USER IF NOT EXISTS '${MARIADB_ADMIN_USER}'@'%' IDENTIFIED BY '${pw}';`,
    `ALTER USER '${MARIADB_ADMIN_USER}'@'%' IDENTIFIED BY '${pw}';`,
    `GRANT ALL PRIVILEGES ON *.* TO '${MARIADB_ADMIN_USER}'@'%' WITH GRANT OPTION;`,
    'FLUSH PRIVILEGES;',
    '',
  ].join('\n');
}
