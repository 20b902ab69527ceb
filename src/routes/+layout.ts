// Hearth is a client-side app: documents and keys live in the browser, never on a server.
export const ssr = false;
export const prerender = false;
