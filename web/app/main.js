/*
 * main.js - the browser interface starts here: the settings the server
 * gives before login (time zone, languages), the session of this tab, the
 * page's frame (header, menu by role, footer) and the routes.
 *
 * Screens are ES modules under views/, loaded when first opened. A screen
 * of a later feature joins by adding its route and its menu entry below.
 */
import { api, apiConfigure } from './api.js';
import { h, replace } from './dom.js';
import { feedReset, onFeedState } from './feed.js';
import { i18nInit, lang, onLangChange, setLang, t, label, zoneText } from './i18n.js';
import { interceptLinks, navigate, render, route, setGuard, setNotFound } from './router.js';
import { forget, logout, me, session, sessionToken } from './session.js';
import { liveRegions, toast } from './ui.js';
import { knownZone } from './time.js';

const OFFICERS = ['customs', 'quarantine', 'border', 'maritime'];
const READ_ALL = ['analyst', 'admin'];
/* everyone who works on declarations: the auditor reads the audit log only */
const WORK = ['declarant', ...OFFICERS, 'port_operator', ...READ_ALL];
/* who may ask the gate (the terminal records; docs/transport.md) */
const GATE = ['port_operator', 'customs', ...READ_ALL];
/* who reads calls, reports and manifests (the server narrows it) */
const CALLS = ['carrier', 'customs', 'port_operator', ...READ_ALL];
/* who reads export refund applications: the tax office decides them */
const REFUNDS = ['tax_office', 'declarant', ...READ_ALL];
/* the banks that debit duties and confirm the payment orders reported to them */
const BANKS = ['bank'];

/* path, view, roles (null: any logged-in user) */
route('/', () => import('./views/home.js'));
route('/login', () => import('./views/login.js'), 'public');
route('/declarations', () => import('./views/declarations.js'), WORK);
route('/declarations/new', () => import('./views/declare.js'), ['declarant']);
route('/declarations/import', () => import('./views/import.js'), ['declarant']);
route('/declarations/:number/correct', () => import('./views/declare.js'), ['declarant']);
route('/declarations/:number', () => import('./views/declaration.js'), WORK);
route('/drafts', () => import('./views/drafts.js'), ['declarant']);
route('/drafts/:draft', () => import('./views/declare.js'), ['declarant']);
route('/mandates', () => import('./views/mandates.js'), ['declarant']);
route('/worklist', () => import('./views/worklist.js'), [...OFFICERS, ...READ_ALL]);
route('/verify', () => import('./views/verify.js'), WORK);
route('/gate', () => import('./views/gate.js'), GATE);
route('/transport', () => import('./views/transport.js'), CALLS);
route('/refunds', () => import('./views/refunds.js'), REFUNDS);
route('/refunds/:id', () => import('./views/refunds.js'), REFUNDS);
route('/payments', () => import('./views/payments.js'), BANKS);
route('/calls', () => import('./views/transport.js').then((m) => ({ render: m.renderCall })), CALLS);
route('/manifests/new', () => import('./views/manifest.js'), ['carrier']);
route('/manifests/:id', () => import('./views/manifest.js'), ['carrier', 'customs', 'port_operator', ...READ_ALL]);
route('/dashboard', () => import('./views/dashboard.js'), READ_ALL);
route('/clearance', () => import('./views/clearance.js'), READ_ALL);
route('/live', () => import('./views/live.js'), [...WORK, 'carrier']);
route('/sites', () => import('./views/sites.js'), WORK);
route('/risk/rules', () => import('./views/rules.js'), [...OFFICERS, ...READ_ALL]);
route('/risk/profiles', () => import('./views/profiles.js'), [...OFFICERS, ...READ_ALL]);
route('/admin/organisations', () => import('./views/organisations.js'), ['admin']);
route('/admin/users', () => import('./views/users.js'), ['admin']);
route('/admin/users/:username', () => import('./views/user.js'), ['admin']);
route('/admin/reference', () => import('./views/reference.js'), ['admin']);
route('/audit', () => import('./views/audit.js'), ['auditor']);
route('/account', () => import('./views/account.js'));
setNotFound(() => import('./views/notfound.js'));

/* The menu, grouped as the single window's portal groups its functions. */
const MENU = [
	{ title: 'menu.goods', roles: ['declarant'], items: [
		['/declarations/new', 'menu.new'],
		['/drafts', 'menu.drafts'],
		['/declarations/import', 'menu.import'],
		['/declarations', 'menu.my_declarations'],
		['/mandates', 'menu.mandates'],
		['/refunds', 'menu.my_refunds'],
	] },
	{ title: 'menu.tax', roles: ['tax_office'], items: [
		['/refunds', 'menu.refunds'],
	] },
	{ title: 'menu.bank', roles: BANKS, items: [
		['/payments', 'menu.payment_orders'],
	] },
	{ title: 'menu.tasks', roles: [...OFFICERS, ...READ_ALL], items: [
		['/worklist', 'menu.worklist'],
	] },
	{ title: 'menu.release', roles: ['port_operator'], items: [
		['/declarations', 'menu.released'],
		['/verify', 'menu.verify'],
		['/gate', 'menu.gate'],
		['/transport', 'menu.calls'],
	] },
	{ title: 'menu.transport', roles: ['carrier'], items: [
		['/transport', 'menu.calls'],
		['/manifests/new', 'menu.new_manifest'],
	] },
	{ title: 'menu.query', roles: [...OFFICERS, ...READ_ALL], items: [
		['/declarations', 'menu.declarations'],
		['/gate', 'menu.gate', (role) => GATE.includes(role)],
		['/transport', 'menu.calls', (role) => CALLS.includes(role)],
		['/refunds', 'menu.refunds', (role) => READ_ALL.includes(role)],
	] },
	{ title: 'menu.statistics', roles: READ_ALL, items: [
		['/dashboard', 'menu.dashboard'],
		['/clearance', 'menu.clearance'],
	] },
	{ title: 'menu.inspection', roles: WORK, items: [
		['/sites', 'menu.sites'],
	] },
	{ title: 'menu.risk', roles: [...OFFICERS, ...READ_ALL], items: [
		['/risk/rules', 'menu.rules'],
		['/risk/profiles', 'menu.profiles'],
	] },
	{ title: 'menu.admin', roles: ['admin'], items: [
		['/admin/organisations', 'menu.organisations'],
		['/admin/users', 'menu.users'],
		['/admin/reference', 'menu.reference'],
	] },
	{ title: 'menu.audit_group', roles: ['auditor'], items: [
		['/audit', 'menu.audit'],
	] },
	{ title: 'menu.more', roles: null, items: [
		['/live', 'menu.live', (role) => WORK.includes(role) || role === 'carrier'],
		['/verify', 'menu.verify', (role) => WORK.includes(role) && role !== 'port_operator'],
		['/account', 'menu.account'],
	] },
];

const ownVersion = new URL(import.meta.url).pathname.split('/')[2];
let settings = { timezone: 'Asia/Shanghai', default_language: 'zh', assets_version: ownVersion };
let lastVersionCheck = Date.now();

function menu(user, path) {
	const groups = MENU.filter((g) => !g.roles || g.roles.includes(user.role)).map((g) => {
		const items = g.items.filter(([, , when]) => !when || when(user.role));
		return h('div.menu-group',
			h('h2.menu-title', t(g.title)),
			h('ul', items.map(([href, key]) => h('li', h('a', {
				href, 'aria-current': href === path ? 'page' : null,
			}, t(key))))));
	});
	return groups;
}

function header(user) {
	const langButton = h('button.lang', {
		type: 'button', lang: lang() === 'zh' ? 'en' : 'zh',
		onclick: () => setLang(lang() === 'zh' ? 'en' : 'zh'),
	}, lang() === 'zh' ? 'English' : '中文');
	const right = [langButton];
	if (user) {
		const feedDot = h('span.feed-state', { title: '' });
		onFeedState((s) => {
			feedDot.className = `feed-state ${s}`;
			feedDot.title = t(`feed.${s}`);
		});
		right.unshift(h('span.who',
			h('span.who-name', user.display_name || user.username),
			h('span.who-role', label('role', user.role)),
			h('span.who-org', user.organisation_name || user.organisation || '')));
		right.push(h('button.logout', { type: 'button', onclick: doLogout }, t('shell.logout')));
		right.unshift(feedDot);
	}
	return h('header.topbar',
		user ? h('button.nav-toggle', {
			type: 'button', 'aria-expanded': 'false', 'aria-controls': 'nav',
			onclick: (e) => {
				const nav = document.getElementById('nav');
				const open = nav.classList.toggle('open');
				e.currentTarget.setAttribute('aria-expanded', String(open));
			},
		}, t('shell.menu')) : null,
		h('a.brand', { href: '/' }, h('span.brand-mark', 'kouan 口岸'),
			h('span.brand-name', t('shell.product'))),
		h('div.topbar-right', right));
}

/** Draw the frame around <main> for the current user and language. */
function frame() {
	const app = document.getElementById('app');
	const user = me();
	const path = location.pathname;
	const main = h('main', { id: 'main', tabindex: '-1' });
	const skip = h('a.skip', {
		href: '#main',
		onclick: (e) => {
			e.preventDefault();
			(document.getElementById('page-title') || main).focus();
		},
	}, t('shell.skip'));
	const body = user
		? h('div.layout', h('nav', { id: 'nav', 'aria-label': t('shell.menu') }, menu(user, path)), main)
		: h('div.layout.public', main);
	if (user) {
		/* Escape folds the menu away on a narrow screen */
		body.querySelector('#nav').addEventListener('keydown', (e) => {
			const nav = e.currentTarget;
			if (e.key === 'Escape' && nav.classList.contains('open')) {
				nav.classList.remove('open');
				const toggle = document.querySelector('.nav-toggle');
				toggle.setAttribute('aria-expanded', 'false');
				toggle.focus();
			}
		});
	}
	replace(app, skip, header(user), body,
		h('footer.footer', h('p', t('shell.timezone', { zone: zoneText() })),
			h('p', h('a', { href: '/openapi.json' }, t('shell.api')))));
	liveRegions(app);
}

async function doLogout() {
	try {
		await logout();
	} catch {
		/* revoked or not, the tab forgets the token */
	}
	feedReset();
	toast(t('shell.logged_out'));
	navigate('/login', { replace: true });
}

function markMenu(path) {
	for (const a of document.querySelectorAll('#nav a')) {
		if (a.getAttribute('href') === path) a.setAttribute('aria-current', 'page');
		else a.removeAttribute('aria-current');
	}
	const nav = document.getElementById('nav');
	if (nav && nav.classList.contains('open')) {
		nav.classList.remove('open');
		document.querySelector('.nav-toggle')?.setAttribute('aria-expanded', 'false');
	}
}

let framedFor = null;

setGuard((r, path) => {
	if (!session() && r?.roles !== 'public') {
		const next = path !== '/' ? `?next=${encodeURIComponent(path + location.search)}` : '';
		navigate(`/login${next}`, { replace: true });
		return false;
	}
	const user = me();
	const key = `${user?.username || ''}|${lang()}`;
	if (framedFor !== key) {
		frame();
		framedFor = key;
	}
	markMenu(path);
	if (r && Array.isArray(r.roles) && !r.roles.includes(user.role)) {
		navigate('/', { replace: true });
		return false;
	}
	checkVersion();
	return true;
});

/* A newer interface is served (a deployment happened): offer a reload. */
async function checkVersion() {
	if (Date.now() - lastVersionCheck < 10 * 60 * 1000 || ownVersion === '_') return;
	lastVersionCheck = Date.now();
	try {
		const s = await api('GET', '/v1/ui-settings', { auth: false });
		if (s.assets_version !== ownVersion && !document.querySelector('.update-banner'))
			document.getElementById('app').prepend(h('div.update-banner', { role: 'status' },
				t('shell.update'), ' ',
				h('button', { type: 'button', onclick: () => location.reload() }, t('shell.reload'))));
	} catch {
		/* try again later */
	}
}

/* After every screen: focus its heading, so keyboard and screen reader
 * users start at the top of what changed. */
document.addEventListener('kouan:rendered', () => {
	const title = document.getElementById('page-title');
	if (title && !document.querySelector('dialog[open]')) title.focus({ preventScroll: false });
});

async function start() {
	try {
		settings = { ...settings, ...(await api('GET', '/v1/ui-settings', { auth: false })) };
	} catch {
		/* the defaults will do */
	}
	i18nInit(settings.default_language, knownZone(settings.timezone) ? settings.timezone : 'UTC');
	apiConfigure({
		token: sessionToken,
		unauthenticated: () => {
			forget();
			feedReset();
			toast(t('shell.expired'), 'warn');
			const next = location.pathname === '/login' ? '' : `?next=${encodeURIComponent(location.pathname)}`;
			navigate(`/login${next}`, { replace: true });
		},
	});
	onLangChange(() => {
		framedFor = null;
		render();
	});
	interceptLinks(document);
	await render();
}

start();
