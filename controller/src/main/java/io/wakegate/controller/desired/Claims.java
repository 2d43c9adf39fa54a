package io.wakegate.controller.desired;

import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Host conflicts. A ModelHost without models claims every (host, path prefix, header set) its
 * match names; a ModelHost with models claims, for each of them, every (host, path prefix, header
 * set, model) instead, so ModelHosts serving different models share an address and one without
 * models serves the requests there that name none. A model listed twice by one ModelHost is one
 * claim. When two ModelHosts claim the same one, the older ModelHost (creationTimestamp, then
 * namespace/name) keeps it and the younger one loses all its claims: it is left out of the route
 * table and gets no VirtualService until the conflict is gone. Claims do not depend on whether a
 * target exists, so the winner never changes because of a pod's or Service's state.
 */
public final class Claims {

  private Claims() {
  }

  /**
   * One claim: {@code address} is {@code host/path [name=value,...]} (host lower case, path
   * without trailing "/", headers sorted); {@code model} is null for a ModelHost without models.
   */
  public record Claim(String address, String model) {
    public String describe() {
      return (model == null ? "" : "model " + model + " at ") + "host and path " + address;
    }
  }

  /** Why a ModelHost lost: the first contested claim and the older ModelHost holding it. */
  public record Conflict(Claim claim, String winner) {
    public String message() {
      return claim.describe() + " already claimed by ModelHost " + winner + " (older)";
    }
  }

  /** The losers, by {@code namespace/name}; ModelHosts not in the map hold all their claims. */
  public static Map<String, Conflict> resolve(Collection<ModelHost> hosts) {
    List<ModelHost> ordered = new ArrayList<>(hosts);
    ordered.sort(AGE_ORDER);
    Map<Claim, String> holders = new HashMap<>();
    Map<String, Conflict> losers = new LinkedHashMap<>();
    for (ModelHost host : ordered) {
      String key = Names.key(host);
      List<Claim> claims = claims(host);
      Conflict conflict = claims.stream()
          .filter(holders::containsKey)
          .findFirst()
          .map(claim -> new Conflict(claim, holders.get(claim)))
          .orElse(null);
      if (conflict != null) {
        losers.put(key, conflict);
        continue;
      }
      claims.forEach(claim -> holders.put(claim, key));
    }
    return losers;
  }

  /**
   * Which ModelHost scales each workload: KEDA lets one ScaledObject scale a workload, so when
   * several ModelHosts name the same Deployment or StatefulSet, the oldest one that holds its
   * host claims writes the ScaledObject. Returns, by {@code namespace/name} of each ModelHost that
   * does not scale its workload, the {@code namespace/name} of the one that does; a host-conflict
   * loser is absent here (it gets no ScaledObject for that reason already).
   */
  public static Map<String, String> scaledByOther(Collection<ModelHost> hosts, Map<String, Conflict> losers) {
    List<ModelHost> ordered = new ArrayList<>(hosts);
    ordered.sort(AGE_ORDER);
    Map<String, String> scalers = new HashMap<>();
    Map<String, String> others = new LinkedHashMap<>();
    for (ModelHost host : ordered) {
      String key = Names.key(host);
      if (losers.containsKey(key) || host.getSpec() == null || host.getSpec().target() == null) {
        continue;
      }
      String workload = host.getMetadata().getNamespace() + "/" + host.getSpec().target().kind() + "/"
          + host.getSpec().target().name();
      String scaler = scalers.putIfAbsent(workload, key);
      if (scaler != null) {
        others.put(key, scaler);
      }
    }
    return others;
  }

  /** Oldest first; equal (or missing) timestamps fall back to namespace/name. */
  static final Comparator<ModelHost> AGE_ORDER = Comparator
      .comparing((ModelHost h) -> created(h))
      .thenComparing(Names::key);

  /** The claims of one ModelHost, each once, in the order of its hosts, then path prefixes, then models. */
  static List<Claim> claims(ModelHost host) {
    MatchSpec match = host.getSpec().match();
    String headers = match.headers().stream()
        .map(h -> h.name().toLowerCase(Locale.ROOT) + "=" + h.value())
        .sorted()
        .collect(Collectors.joining(","));
    List<String> models = match.distinctModels();
    Set<Claim> claims = new LinkedHashSet<>();
    for (String h : match.hosts()) {
      for (String path : match.pathPrefixes()) {
        String address = h.toLowerCase(Locale.ROOT) + Routes.normalizePath(path) + (headers.isEmpty() ? "" : " [" + headers + "]");
        if (models.isEmpty()) {
          claims.add(new Claim(address, null));
        }
        models.forEach(model -> claims.add(new Claim(address, model)));
      }
    }
    return List.copyOf(claims);
  }

  private static Instant created(ModelHost host) {
    String timestamp = host.getMetadata().getCreationTimestamp();
    if (timestamp == null) {
      return Instant.MAX;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }
}
