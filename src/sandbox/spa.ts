import { htmlEscape, type Reply } from './http.js';

/**
 * Pika serves its single-page app for any GET it has no route for, with status 200.
 * Clients must check that a JSON answer really is JSON; this page makes them.
 */
export function spaPage(base: string): Reply {
  const b = htmlEscape(base);
  return {
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pika</title>
<base href="${b}/">
</head>
<body>
<div id="app"></div>
<noscript>Pika (pikactl sandbox): this page is the web UI shell. Use the API under ${b}/api/v1/.</noscript>
</body>
</html>
`,
  };
}
