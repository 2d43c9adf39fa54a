package io.wakegate.controller.kube;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * "The stored value already says what we want": every key of a desired map is in the stored
 * map with a value that contains the desired one; lists match element by element; numbers
 * compare by value (JSON brings them back as Integer, Long or Double). Keys only the stored
 * object has (defaults filled in by the API server or a webhook) do not count as a difference,
 * so the controller never fights a defaulting webhook.
 */
final class Subset {

  private Subset() {
  }

  static boolean contains(Object stored, Object desired) {
    if (desired instanceof Map<?, ?> want) {
      if (!(stored instanceof Map<?, ?> have)) {
        return false;
      }
      return want.entrySet().stream().allMatch(e -> contains(have.get(e.getKey()), e.getValue()));
    }
    if (desired instanceof List<?> want) {
      if (!(stored instanceof List<?> have) || have.size() != want.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        if (!contains(have.get(i), want.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired instanceof Number want && stored instanceof Number have) {
      return new BigDecimal(want.toString()).compareTo(new BigDecimal(have.toString())) == 0;
    }
    return desired == null ? stored == null : desired.equals(stored);
  }
}
