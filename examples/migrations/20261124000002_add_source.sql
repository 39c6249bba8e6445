-- ADD COLUMN cannot carry a DEFAULT in CrateDB.
ALTER TABLE events ADD COLUMN source TEXT;
