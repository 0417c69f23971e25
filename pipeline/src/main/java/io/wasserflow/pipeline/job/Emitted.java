package io.wasserflow.pipeline.job;

/** A record for one of the output topics (metrics, alerts, runs, dead letters), already encoded. */
public class Emitted {
    public String topic;
    public String key;
    public byte[] value;

    public Emitted() {}

    public Emitted(String topic, String key, byte[] value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }
}
