/*
 * router.js - client-side routes (the History API). kouan serves the page
 * for any path whose last segment names no file, so every route below can
 * be bookmarked and reloaded.
 *
 * A route is a pattern ('/declarations/:number'), the roles that may open
 * it, and a view module loaded on first use. A view module exports
 * `render(main, params, query)`, which fills <main> and may return a
 * clean-up function (called when the user leaves the route).
 */

const routes = [];
let notFoundView = null;
let beforeRender = () => true;
let cleanup = null;
let generation = 0;

/** Add a route: pattern, loader (() => import(...)), roles (null: anyone
 * logged in; 'public': no login needed). */
export function route(pattern, loader, roles = null) {
	const names = [];
	const re = new RegExp(`^${pattern.replace(/:([a-z_]+)/g, (_, n) => {
		names.push(n);
		return '([^/]+)';
	})}/?$`);
	routes.push({ pattern, re, names, loader, roles });
}

export function setNotFound(loader) {
	notFoundView = loader;
}

/** guard(route, path) returns false to stop a render (e.g. not logged in). */
export function setGuard(guard) {
	beforeRender = guard;
}

export function match(path) {
	for (const r of routes) {
		const m = r.re.exec(path);
		if (m) {
			const params = {};
			r.names.forEach((n, i) => {
				params[n] = decodeURIComponent(m[i + 1]);
			});
			return { route: r, params };
		}
	}
	return null;
}

/** Go to a path inside the app (adds a history entry unless replace). */
export function navigate(path, { replace = false } = {}) {
	if (replace) history.replaceState(null, '', path);
	else history.pushState(null, '', path);
	return render();
}

/** Render the current location into <main>. */
export async function render() {
	const url = new URL(location.href);
	const found = match(url.pathname);
	if (!beforeRender(found?.route || null, url.pathname)) return;
	const main = document.getElementById('main');
	const mine = ++generation;
	if (cleanup) {
		try {
			cleanup();
		} catch {
			/* a view's clean-up never blocks the next one */
		}
		cleanup = null;
	}
	const loader = found ? found.route.loader : notFoundView;
	const mod = await loader();
	if (mine !== generation) return; /* the user went elsewhere meanwhile */
	main.replaceChildren();
	const result = await mod.render(main, found?.params || {}, url.searchParams);
	if (mine !== generation) {
		if (typeof result === 'function') result();
		return;
	}
	cleanup = typeof result === 'function' ? result : null;
	/* what has finished rendering (tests and tools wait for it) */
	document.documentElement.dataset.rendered = url.pathname;
	document.dispatchEvent(new CustomEvent('kouan:rendered', { detail: { path: url.pathname } }));
}

/** Links inside the app navigate without reloading the page. */
export function interceptLinks(root) {
	root.addEventListener('click', (e) => {
		const a = e.target.closest('a[href]');
		if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey ||
		    e.shiftKey || e.altKey || a.target || a.hasAttribute('download')) return;
		const url = new URL(a.href, location.href);
		if (url.origin !== location.origin || url.pathname.startsWith('/v1/') ||
		    url.pathname.startsWith('/assets/')) return;
		e.preventDefault();
		navigate(url.pathname + url.search);
	});
	window.addEventListener('popstate', () => render());
}
