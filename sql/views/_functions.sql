-- Helpers the views share, created before them.
-- Graph's operatingSystem as each platform reports it ("Windows", "Windows10", "MacMDM", "linux",
-- "Ios 18"), folded to one name per platform.
CREATE OR REPLACE MACRO entra_os(os) AS
  CASE
    WHEN os IS NULL OR trim(os) = '' THEN 'Unknown'
    WHEN lower(trim(os)) LIKE 'windows%' THEN 'Windows'
    WHEN lower(trim(os)) LIKE 'mac%' OR lower(trim(os)) IN ('osx', 'os x') THEN 'macOS'
    WHEN lower(trim(os)) LIKE 'ipados%' THEN 'iPadOS'
    WHEN lower(trim(os)) LIKE 'ios%' THEN 'iOS'
    WHEN lower(trim(os)) LIKE 'android%' THEN 'Android'
    WHEN lower(trim(os)) LIKE 'linux%' OR lower(trim(os)) LIKE 'ubuntu%' THEN 'Linux'
    WHEN lower(trim(os)) LIKE 'chrome%' THEN 'ChromeOS'
    ELSE trim(os)
  END;
-- A release to compare by: Windows to its build ("10.0.22631"), other platforms to major.minor
-- ("17.6"); a version that is not dotted numbers ("Ubuntu 22.04") is kept as it is.
CREATE OR REPLACE MACRO entra_os_version(os, version) AS
  CASE
    WHEN version IS NULL OR trim(version) = '' THEN 'Unknown'
    WHEN NOT regexp_matches(trim(version), '^[0-9]+(\.[0-9]+)*$') THEN trim(version)
    WHEN entra_os(os) = 'Windows' THEN array_to_string(string_split(trim(version), '.')[1:3], '.')
    ELSE array_to_string(string_split(trim(version), '.')[1:2], '.')
  END;
