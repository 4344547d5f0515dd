-- A farm's temperature and fan thresholds as ranges: a hashing device's chips too cold as
-- well as too hot (a cold start, an immersion or hydro loop in winter), and its fans too
-- fast (at full speed: no cooling left) as well as too slow or stopped. Null keeps the
-- pool's default (alerts.*), as for the other columns. A range set whole on the farm must
-- not be upside down; against a default the API checks it (HW_ERR_VALIDATION).
ALTER TABLE farm_alert_thresholds
  ADD COLUMN min_chip_temp_c double precision CHECK (min_chip_temp_c BETWEEN -40 AND 100),
  ADD COLUMN max_fan_rpm integer CHECK (max_fan_rpm BETWEEN 0 AND 30000),
  ADD COLUMN max_fan_percent double precision CHECK (max_fan_percent BETWEEN 1 AND 100),
  ADD CONSTRAINT farm_alert_thresholds_chip_range CHECK (min_chip_temp_c <= max_chip_temp_c),
  ADD CONSTRAINT farm_alert_thresholds_fan_range CHECK (max_fan_rpm = 0 OR min_fan_rpm <= max_fan_rpm);
