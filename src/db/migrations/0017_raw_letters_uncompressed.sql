-- Encrypted letters do not compress: kept uncompressed, so that reading the first bytes (the key id) at start does not
-- fetch the whole letter.
ALTER TABLE "email_inbox" ALTER COLUMN "raw" SET STORAGE EXTERNAL;
