package io.wasserflow.pipeline.testing;

import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.schemas.Codec;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A topic's records as lists, from its start to where it ends when called ({@link KafkaClients#readToEnd}); none when it does not exist. */
public final class TopicReader {
    private TopicReader() {}

    public static List<ConsumerRecord<byte[], byte[]>> records(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        KafkaClients.readToEnd(bootstrap, topic, out::add);
        return out;
    }

    public static List<byte[]> values(String bootstrap, String topic) {
        List<byte[]> out = new ArrayList<>();
        KafkaClients.readToEnd(bootstrap, topic, r -> out.add(r.value()));
        return out;
    }

    /** Every value decoded; one that is not a record of the codec's type fails the call. */
    public static <T extends SpecificRecordBase> List<T> decoded(String bootstrap, String topic, Codec<T> codec) throws Codec.DecodeException {
        List<T> out = new ArrayList<>();
        KafkaClients.readToEnd(bootstrap, topic, r -> out.add(codec.decode(r.value())));
        return out;
    }
}
