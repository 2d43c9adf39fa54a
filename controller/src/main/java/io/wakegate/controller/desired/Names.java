package io.wakegate.controller.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.wakegate.controller.crd.ModelHost;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** Every name, label and key the controller generates; nothing else invents one. */
public final class Names {

  /** ConfigMap in Wakegate's namespace that carries the route table. */
  public static final String ROUTE_TABLE_CONFIGMAP = "wakegate-routes";
  /** Its data key: the table as protobuf JSON. */
  public static final String ROUTE_TABLE_KEY = "routes.json";
  /** Default name of the leader-election Lease (in Wakegate's namespace). */
  public static final String LEASE = "wakegate-controller";
  /** Component name on Events and in logs. */
  public static final String COMPONENT = "wakegate-controller";

  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "wakegate-controller";
  /** On every generated object: the owning ModelHost's name (shortened to a valid label value). */
  public static final String MODEL_HOST_LABEL = "wakegate.io/model-host";

  /** The external-push trigger's name in the ScaledObject. */
  public static final String TRIGGER_NAME = "wakegate";
  /** The VirtualService's single HTTP route's name. */
  public static final String HTTP_ROUTE_NAME = "wakegate";

  static final int MAX_NAME = 63;
  private static final String PREFIX = "wakegate-";

  private Names() {
  }

  /** {@code namespace/name}: the route's name in the table and the scaler's {@code route} key. */
  public static String route(ModelHost host) {
    return key(host);
  }

  /** {@code namespace/name} of any object. */
  public static String key(HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  /** The ScaledObject's name, in the ModelHost's namespace. */
  public static String scaledObject(ModelHost host) {
    return shorten(PREFIX + host.getMetadata().getName(), MAX_NAME);
  }

  /** The VirtualService's name, in the ModelHost's namespace. */
  public static String virtualService(ModelHost host) {
    return shorten(PREFIX + host.getMetadata().getName(), MAX_NAME);
  }

  /** Labels on every object generated for {@code host}. */
  public static Map<String, String> labels(ModelHost host) {
    return Map.of(MANAGED_BY_LABEL, MANAGED_BY, MODEL_HOST_LABEL, shorten(host.getMetadata().getName(), MAX_NAME));
  }

  /**
   * {@code value} if it fits in {@code max} characters, else its first characters, a dash and
   * eight hex digits of its SHA-256, so distinct long names stay distinct and stable.
   */
  static String shorten(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    String hash = sha256Hex(value).substring(0, 8);
    String head = value.substring(0, max - hash.length() - 1);
    while (head.endsWith("-") || head.endsWith(".")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "-" + hash;
  }

  private static String sha256Hex(String value) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }
}
