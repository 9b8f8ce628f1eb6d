-- A request's number as the database gives it: the sequence's value followed by its Damm check digit, the same digits
-- as formatRequestNumber (src/requests/number.ts). Registration numbers a group in the statement that writes it.
CREATE FUNCTION request_number_of(seq bigint) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  damm constant smallint[] := '{{0,3,1,7,5,9,8,6,4,2},{7,0,9,2,1,5,4,8,6,3},{4,2,0,6,8,7,1,3,5,9},{1,7,5,0,9,8,3,4,2,6},{6,1,2,3,0,4,5,9,7,8},{3,6,7,4,2,0,9,5,8,1},{5,8,6,9,7,2,0,1,3,4},{8,9,4,5,3,6,2,0,1,7},{9,4,3,8,6,1,7,2,0,5},{2,5,8,1,4,3,6,7,9,0}}';
  body constant text := seq::text;
  interim smallint := 0;
BEGIN
  IF seq < 0 THEN
    RAISE EXCEPTION 'request_number_of: % is negative', seq;
  END IF;
  FOR i IN 1..length(body) LOOP
    interim := damm[interim + 1][ascii(substr(body, i, 1)) - 47];
  END LOOP;
  RETURN body || interim::text;
END
$$;
