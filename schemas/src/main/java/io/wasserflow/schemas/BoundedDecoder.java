package io.wasserflow.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro's binary decoder with every declared length checked against the bytes there are: a string or
 * bytes field can be no longer than the body, and a block of array or map items can hold no more
 * items than the body has bytes (each item of our schemas takes at least one). Avro itself allocates
 * what a length claims first (up to 2 GiB), so a 15-byte record that claims a 1 GiB string would be
 * an OutOfMemoryError rather than a corrupt body.
 */
final class BoundedDecoder extends Decoder {
    private final BinaryDecoder in;
    private final int limit;

    /** @param limit the body's length in bytes: no length or item count may exceed it */
    BoundedDecoder(BinaryDecoder in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    boolean isEnd() throws IOException {
        return in.isEnd();
    }

    private int checked(long length, String what) throws IOException {
        if (length < 0 || length > limit) throw new IOException(what + " of " + length + " in a body of " + limit + " bytes");
        return (int) length;
    }

    private byte[] readLengthPrefixed(String what) throws IOException {
        byte[] b = new byte[checked(in.readLong(), what)];
        in.readFixed(b, 0, b.length);
        return b;
    }

    @Override public Utf8 readString(Utf8 old) throws IOException { return new Utf8(readLengthPrefixed("a string")); }
    @Override public String readString() throws IOException { return new String(readLengthPrefixed("a string"), StandardCharsets.UTF_8); }
    @Override public ByteBuffer readBytes(ByteBuffer old) throws IOException { return ByteBuffer.wrap(readLengthPrefixed("bytes")); }
    @Override public long readArrayStart() throws IOException { return checked(in.readArrayStart(), "an array block"); }
    @Override public long arrayNext() throws IOException { return checked(in.arrayNext(), "an array block"); }
    @Override public long readMapStart() throws IOException { return checked(in.readMapStart(), "a map block"); }
    @Override public long mapNext() throws IOException { return checked(in.mapNext(), "a map block"); }

    // the rest as Avro reads it
    @Override public void readNull() throws IOException { in.readNull(); }
    @Override public boolean readBoolean() throws IOException { return in.readBoolean(); }
    @Override public int readInt() throws IOException { return in.readInt(); }
    @Override public long readLong() throws IOException { return in.readLong(); }
    @Override public float readFloat() throws IOException { return in.readFloat(); }
    @Override public double readDouble() throws IOException { return in.readDouble(); }
    @Override public void skipString() throws IOException { in.skipString(); }
    @Override public void skipBytes() throws IOException { in.skipBytes(); }
    @Override public void readFixed(byte[] bytes, int start, int length) throws IOException { in.readFixed(bytes, start, length); }
    @Override public void skipFixed(int length) throws IOException { in.skipFixed(length); }
    @Override public int readEnum() throws IOException { return in.readEnum(); }
    @Override public long skipArray() throws IOException { return in.skipArray(); }
    @Override public long skipMap() throws IOException { return in.skipMap(); }
    @Override public int readIndex() throws IOException { return in.readIndex(); }
}
