import type { Database } from 'better-sqlite3'

/**
 * Substring search over a ticket's identifiers (issue 12): agents often have only the last
 * digits of a serial, a piece of a MAC or a phone number, which the word index (prefixes of
 * words) cannot find. An FTS5 trigram table holds, per ticket, its helpdesk ID, contact
 * (phone, e-mail), device serial, and the serial and MAC of its NVR reset case and of the
 * devices linked to it. Each value is stored "compacted" (no - : . space + ( ) /), and the
 * search compacts what the agent typed the same way, so "0559-5383", "05595383" and
 * "aa:bb:cc" find "54-0559-5383" and "AA-BB-CC-…". Values are separated by a space, which a
 * compacted query never holds, so a match never spans two values.
 *
 * Kept in step by triggers on every table it reads, so no writer can forget it; the view
 * is the one place that says what is indexed.
 */
const compact = (col: string) =>
  `replace(replace(replace(replace(replace(replace(replace(replace(${col}, '-', ''), ':', ''), '.', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '/', '')`

const refresh = (ticketId: string) => `
      DELETE FROM ticket_ids_fts WHERE rowid = ${ticketId};
      INSERT INTO ticket_ids_fts (rowid, ids) SELECT id, ids FROM ticket_ids_text WHERE id = ${ticketId};`

export function up(db: Database): void {
  db.exec(`
    CREATE VIEW ticket_ids_text AS
      SELECT t.id AS id,
        ${compact('t.external_ref')} || ' ' || ${compact('t.contact')} || ' ' || ${compact('t.device_serial')}
        || coalesce((SELECT ' ' || ${compact("coalesce(c.serial, '')")} || ' ' || ${compact("coalesce(c.mac, '')")} FROM nvr_reset_cases c WHERE c.ticket_id = t.id), '')
        || coalesce((SELECT group_concat(${compact('d.serial')} || ' ' || ${compact('d.mac')}, ' ')
                     FROM device_tickets dt JOIN devices d ON d.id = dt.device_id WHERE dt.ticket_id = t.id), '') AS ids
      FROM tickets t;

    CREATE VIRTUAL TABLE ticket_ids_fts USING fts5 (ids, tokenize = 'trigram');
    -- The word index's vocabulary: "does any word start with …" in microseconds, where a
    -- prefix MATCH would merge the doclists of every such word first.
    CREATE VIRTUAL TABLE tickets_fts_vocab USING fts5vocab (tickets_fts, row);
    INSERT INTO ticket_ids_fts (rowid, ids) SELECT id, ids FROM ticket_ids_text;

    CREATE TRIGGER ticket_ids_ai AFTER INSERT ON tickets BEGIN ${refresh('new.id')} END;
    CREATE TRIGGER ticket_ids_au AFTER UPDATE OF external_ref, contact, device_serial ON tickets BEGIN ${refresh('new.id')} END;
    CREATE TRIGGER ticket_ids_ad AFTER DELETE ON tickets BEGIN DELETE FROM ticket_ids_fts WHERE rowid = old.id; END;

    CREATE TRIGGER ticket_ids_case_ai AFTER INSERT ON nvr_reset_cases BEGIN ${refresh('new.ticket_id')} END;
    CREATE TRIGGER ticket_ids_case_au AFTER UPDATE OF serial, mac ON nvr_reset_cases BEGIN ${refresh('new.ticket_id')} END;
    CREATE TRIGGER ticket_ids_case_ad AFTER DELETE ON nvr_reset_cases BEGIN ${refresh('old.ticket_id')} END;

    CREATE TRIGGER ticket_ids_link_ai AFTER INSERT ON device_tickets BEGIN ${refresh('new.ticket_id')} END;
    CREATE TRIGGER ticket_ids_link_ad AFTER DELETE ON device_tickets BEGIN ${refresh('old.ticket_id')} END;
    CREATE TRIGGER ticket_ids_device_au AFTER UPDATE OF serial, mac ON devices BEGIN
      DELETE FROM ticket_ids_fts WHERE rowid IN (SELECT ticket_id FROM device_tickets WHERE device_id = new.id);
      INSERT INTO ticket_ids_fts (rowid, ids) SELECT id, ids FROM ticket_ids_text WHERE id IN (SELECT ticket_id FROM device_tickets WHERE device_id = new.id);
    END;
  `)
}
