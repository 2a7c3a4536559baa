// A client-only single-page app: no server rendering, no prerendered pages.
// adapter-static writes the one fallback page (build/index.html) that boots the router.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
