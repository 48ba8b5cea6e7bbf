-- Documents the council shares with the family (letters, the plans it issued, minutes): a
-- parent or young person linked to the case sees and downloads these, and only these. A
-- document is shared when it is added, by staff; a withdrawn one is no longer shown to them.
ALTER TABLE documents ADD COLUMN shared_with_family BOOLEAN NOT NULL DEFAULT FALSE;
