package dev.halcyon.s3;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.*;
import java.net.URI;
import java.nio.file.*;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class Scratch {
  public static void main(String[] a) throws Exception {
    S3MockExtension mock = S3MockExtension.builder().silent().withInitialBuckets("bkt").build();
    mock.start();
    S3ProxyServer proxy = S3ProxyServer.start("bkt");
    try {
      run("mock", URI.create("http://127.0.0.1:" + mock.getHttpPort()), "k", "s");
      run("proxy", proxy.endpoint(), S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL);
    } finally {
      proxy.close();
      mock.stop();
    }
  }

  static void run(String name, URI ep, String id, String secret) throws Exception {
    System.out.println("=== " + name);
    try (S3Client raw = S3Client.builder().endpointOverride(ep).forcePathStyle(true).region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(id, secret)))
        .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build()) {
      long t = System.nanoTime();
      for (int i = 0; i < 20; i++) raw.putObject(b -> b.bucket("bkt").key("x"), RequestBody.fromBytes(new byte[] {1}));
      System.out.println("raw default put ms/op " + (System.nanoTime() - t) / 20e6);
      try { raw.putObject(b -> b.bucket("bkt").key("x").ifNoneMatch("*"), RequestBody.fromBytes(new byte[] {1})); System.out.println("ifNoneMatch on existing: ACCEPTED (ignored)"); }
      catch (Exception e) { System.out.println("ifNoneMatch on existing: " + e); }
      try { raw.putObject(b -> b.bucket("bkt").key("y").checksumSHA256(java.util.Base64.getEncoder().encodeToString(new byte[32])), RequestBody.fromBytes(new byte[] {1})); System.out.println("wrong checksum: ACCEPTED"); }
      catch (Exception e) { System.out.println("wrong checksum: " + e); }
      byte[] one = {1};
      try { raw.putObject(b -> b.bucket("bkt").key("z").checksumSHA256(java.util.Base64.getEncoder().encodeToString(Digest.newSha256().digest(one))), RequestBody.fromBytes(one)); System.out.println("right checksum: ACCEPTED"); }
      catch (Exception e) { System.out.println("right checksum: " + e); }
      try { raw.getObject(b -> b.bucket("bkt").key("z").range("bytes=0-5").ifMatch("\"nope\"")).close(); System.out.println("ifMatch wrong on get: ACCEPTED (ignored)"); }
      catch (Exception e) { System.out.println("ifMatch wrong get: " + e); }
      raw.putObject(b -> b.bucket("bkt").key("empty"), RequestBody.empty());
      try { var r = raw.getObject(b -> b.bucket("bkt").key("empty").range("bytes=0-5")); System.out.println("range on empty: " + r.response().contentRange() + " len " + r.response().contentLength()); r.close(); }
      catch (Exception e) { System.out.println("range on empty: " + e); }
    }
    Path f = S3StoreScenarios.randomFile(Files.createTempDirectory("x"), "big", 21 << 20, 1);
    S3LayerStore.Builder b = S3LayerStore.builder().bucket("bkt").folder(name).endpoint(ep).credentials(id, secret).partSize(5 << 20).multipartThreshold(8 << 20);
    for (boolean cs : new boolean[] {false, true}) {
      try (S3LayerStore s = b.sendChecksums(cs).build()) {
        long t = System.nanoTime();
        s.put("small-" + cs, "hello".getBytes(), PutMode.OVERWRITE);
        System.out.println("checksums=" + cs + " small put ok " + (System.nanoTime() - t) / 1e6);
      } catch (Exception e) { System.out.println("checksums=" + cs + " small put: " + e); }
    }
    try (S3LayerStore s = b.build()) {
      long t = System.nanoTime();
      s.put("big", f, S3StoreScenarios.digestOf(f), PutMode.OVERWRITE);
      System.out.println("put big ms " + (System.nanoTime() - t) / 1e6);
      t = System.nanoTime();
      try (StoredObject o = s.get("big").orElseThrow()) { o.stream().readNBytes(1000); }
      System.out.println("early close ms " + (System.nanoTime() - t) / 1e6);
      t = System.nanoTime();
      System.out.println(S3StoreScenarios.drain(s.get("big").orElseThrow()).getValue() + " drained ms " + (System.nanoTime() - t) / 1e6);
      t = System.nanoTime();
      System.out.println(s.head("big") + " head ms " + (System.nanoTime() - t) / 1e6);
    }
  }
}
