-- 0014_claims.sql - one index fewer on the claims declarations make on a
-- bill of lading (issue 13, bytes at rest): declaration_transport_call
-- indexed every claim by call and bill; declaration_transport_claim
-- already indexes the live ones the same way, and only those are read by
-- call and bill: a freed claim (live = 0) is one whose declaration ended
-- without release, which the gate does not count
-- (src/store/repo_transport.c, Q_BILL_DECLARATIONS).
DROP INDEX declaration_transport_call;

