-- The decimal digits JavaScript's String(x) gives a double (the shortest that reads back as x), which the formula
-- engine computes with (src/db/query/formula-sql-values.ts `dec`). PostgreSQL's float8 output is shortest too,
-- except when a candidate one digit shorter lies exactly on the rounding boundary: there it keeps the extra digit
-- (7.1987000000005184e+16 where JavaScript has 71987000000005180; such ties need |x| >= 2^50). One digit fewer
-- is tried and kept when it still reads back as x.
CREATE OR REPLACE FUNCTION formula_decimal(x float8) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  t text := x::text;
  d numeric;
  digits int;
  shorter numeric;
BEGIN
  -- Below 2^50 the midpoint between two doubles has 19 or more significant digits, so no shorter candidate can
  -- sit on a rounding boundary: the text is JavaScript's already (the common case, kept cheap).
  IF abs(x) < 1e15 THEN
    RETURN t::numeric;
  END IF;
  IF x = 0 OR t IN ('NaN', 'Infinity', '-Infinity') THEN
    RETURN x::numeric;
  END IF;
  d := t::numeric;
  digits := length(ltrim(regexp_replace(split_part(t, 'e', 1), '[^0-9]', '', 'g'), '0'));
  IF digits < 2 THEN
    RETURN d;
  END IF;
  shorter := round(d, digits - 2 - floor(log(abs(d)))::int);
  IF abs(shorter) BETWEEN 2.2250738585072014e-308 AND 1.7976931348623157e308 AND shorter::float8 = x THEN
    RETURN trim_scale(shorter);
  END IF;
  RETURN d;
END
$$;
