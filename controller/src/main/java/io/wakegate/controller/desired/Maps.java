package io.wakegate.controller.desired;

import java.util.LinkedHashMap;
import java.util.Map;

/** Ordered maps for the untyped objects (ScaledObject, VirtualService), so their JSON reads in spec order. */
final class Maps {

  private Maps() {
  }

  static Map<String, Object> of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keysAndValues: " + keysAndValues.length + " (expected: an even count)");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
