-- 0027_declaration_departed.sql - the event declaration.departed: the
-- goods of an export whose conveyances kouan does not follow (rail, mail)
-- left, as the port operator of its port or customs recorded it
-- (POST /v1/declarations/{number}/departure; export_departures keeps the
-- time for the export tax refund).
INSERT INTO event_types (code, name, system) VALUES (80, 'declaration.departed', false);
