/** The tls topic's data, shared by its steps and its checks. */
export const HOSTNAME = 'vault.example.com';
export const SECRET = { path: 'webapp/config', data: { username: 'static-user', password: 'static-password' } };
