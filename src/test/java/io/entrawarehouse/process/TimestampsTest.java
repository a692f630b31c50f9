package io.entrawarehouse.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written parser agrees with java.time on every form Graph writes, and rejects junk. */
class TimestampsTest {

  @Test
  void agreesWithJavaTime() {
    for (String text :
        List.of(
            "2026-11-24T13:45:12Z",
            "2026-11-24T13:45:12.5Z",
            "2026-11-24T13:45:12.123Z",
            "2026-11-24T13:45:12.123456Z",
            "2026-11-24T13:45:12.1234567Z",
            "2024-02-29T23:59:59.999999999Z",
            "1970-01-01T00:00:00Z",
            "1601-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-11-24T13:45:12+02:00",
            "2026-11-24T13:45:12.25-05:30",
            "2026-11-24T13:45:12.Z")) {
      assertThat(Timestamps.micros(text))
          .as(text)
          .isEqualTo(Timestamps.micros(OffsetDateTime.parse(text).toInstant()));
    }
  }

  @Test
  void rejectsWhatIsNotAnIsoInstant() {
    for (String text :
        List.of(
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T13:4a:12Z",
            "2026-11-24 13:45:12Z",
            "2026-11-24T13:45:12",
            "yesterday")) {
      assertThatThrownBy(() -> Timestamps.micros(text))
          .as(text)
          .isInstanceOf(DateTimeParseException.class);
    }
  }
}
