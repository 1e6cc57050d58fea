package dev.halcyon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.halcyon.layer.Digest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * The contract kit through a {@link ForwardingLayerStore} over an {@link InMemoryLayerStore}, and
 * checks that every {@link LayerStore} method, default methods included, is forwarded.
 */
class ForwardingLayerStoreTest extends LayerStoreContract {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  /** An argument for each parameter type a {@link LayerStore} method takes. */
  private static final Map<Class<?>, Object> SAMPLES =
      Map.ofEntries(
          Map.entry(String.class, "some/key"),
          Map.entry(Path.class, Path.of("source.tar.zst")),
          Map.entry(Digest.class, Digest.sha256("source")),
          Map.entry(PutMode.class, PutMode.IF_ABSENT),
          Map.entry(byte[].class, new byte[] {1, 2, 3}),
          Map.entry(Instant.class, NOW),
          Map.entry(boolean.class, true),
          Map.entry(long.class, 4096L),
          Map.entry(
              ObjectInfo.class,
              new ObjectInfo("some/key", 10_000, Optional.of(Digest.sha256("x")), NOW)),
          Map.entry(Collection.class, List.of("a", "b")),
          Map.entry(LongConsumer.class, (LongConsumer) bytes -> {}),
          Map.entry(GrowingFile.class, new GrowingFile(Path.of("growing.tar.zst"))));

  @Override
  protected LayerStore newStore() {
    return forwardingTo(new InMemoryLayerStore(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @Override
  protected void assertNoLeaks(LayerStore store) {
    ((InMemoryLayerStore) ((ForwardingLayerStore) store).delegate()).assertNoOpenStreams();
  }

  @Override
  protected long largeObjectBytes() {
    return 64L * 1024 * 1024; // held in memory whole
  }

  @Test
  void forwardingLayerStore_declaresEveryLayerStoreMethodIncludingDefaults() {
    List<String> missing = new ArrayList<>();
    for (Method method : layerStoreMethods()) {
      try {
        Method declared =
            ForwardingLayerStore.class.getDeclaredMethod(
                method.getName(), method.getParameterTypes());
        assertThat(Modifier.isAbstract(declared.getModifiers())).as(declared.toString()).isFalse();
      } catch (NoSuchMethodException e) {
        missing.add(method.toString());
      }
    }
    assertThat(missing)
        .as("LayerStore methods ForwardingLayerStore does not forward; add them")
        .isEmpty();
  }

  @Test
  void everyMethod_callsTheSameMethodOnTheDelegateWithTheSameArguments() throws Exception {
    List<String> calls = new ArrayList<>();
    LayerStore recorder =
        (LayerStore)
            Proxy.newProxyInstance(
                LayerStore.class.getClassLoader(),
                new Class<?>[] {LayerStore.class},
                (proxy, method, args) -> {
                  calls.add(call(method, args));
                  return resultFor(method.getReturnType());
                });
    LayerStore forwarding = forwardingTo(recorder);

    for (Method method : layerStoreMethods()) {
      Object[] args = Arrays.stream(method.getParameterTypes()).map(this::sample).toArray();
      calls.clear();
      Object result;
      try {
        result = method.invoke(forwarding, args);
      } catch (InvocationTargetException e) {
        throw new AssertionError(method + " threw", e.getCause());
      }
      assertThat(calls).as(method.toString()).containsExactly(call(method, args));
      assertThat(result).as(method.toString()).isEqualTo(resultFor(method.getReturnType()));
    }
  }

  private static ForwardingLayerStore forwardingTo(LayerStore delegate) {
    return new ForwardingLayerStore() {
      @Override
      protected LayerStore delegate() {
        return delegate;
      }
    };
  }

  /** Every instance method a caller can invoke on a {@link LayerStore}, inherited ones included. */
  private static List<Method> layerStoreMethods() {
    return Arrays.stream(LayerStore.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .toList();
  }

  private Object sample(Class<?> type) {
    Object value = SAMPLES.get(type);
    if (value == null) {
      fail("a LayerStore method takes a " + type.getName() + "; add a sample value to SAMPLES");
    }
    return value;
  }

  private static String call(Method method, Object[] args) {
    return method.getName()
        + Arrays.toString(method.getParameterTypes())
        + Arrays.deepToString(args == null ? new Object[0] : args);
  }

  /** What the recording delegate returns: recognisable where the type allows, else null. */
  private static Object resultFor(Class<?> type) {
    if (type == int.class) {
      return 42;
    }
    if (type == boolean.class) {
      return true;
    }
    if (type == String.class) {
      return "from the delegate";
    }
    return null;
  }
}
