/* home.js - "/" takes each user to where their day starts. */
import { navigate } from '../router.js';
import { me } from '../session.js';

const START = {
	declarant: '/declarations',
	customs: '/worklist',
	quarantine: '/worklist',
	border: '/worklist',
	maritime: '/worklist',
	port_operator: '/declarations',
	analyst: '/dashboard',
	admin: '/admin/organisations',
	auditor: '/audit',
	carrier: '/transport',
	tax_office: '/refunds',
	bank: '/payments',
};

export function render() {
	/* a role with no screen of its own here (the e-commerce parties work
	 * through the API) lands on its account, which every user may open:
	 * never on a page its role is sent away from, and back here again */
	navigate(START[me()?.role] || '/account', { replace: true });
}
