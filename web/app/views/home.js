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
};

export function render() {
	navigate(START[me()?.role] || '/declarations', { replace: true });
}
