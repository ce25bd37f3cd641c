package dev.clutch.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

class MessageRegistryTest {

    @Test
    void everyTypeHasItsFixedIdWhateverTheInstance() {
        Kryo kryo = MessageRegistry.framework().newKryo();
        assertEquals(30, kryo.getRegistration(Hello.class).getId());
        assertEquals(60, kryo.getRegistration(AppMessage.class).getId());
        assertEquals(62, MessageRegistry.framework().kryoClassByte(AppMessage.class));
        assertEquals(41, kryo.getRegistration(ClusterReady.class).getId());
        assertTrue(MessageRegistry.framework().describe().contains("30=" + Hello.class.getName()));
    }

    @Test
    void digestNamesTheRegistryContent() {
        String digest = MessageRegistry.framework().digest();
        assertEquals(24, digest.length());
        assertEquals(digest, MessageRegistry.framework().digest());
    }

    @Test
    void theDigestCoversTheShapeKryoWritesNotOnlyTheNames() {
        // A field added to a record, or an enum constant moved, changes what the bytes mean under the same name.
        assertEquals("(java.lang.String command,java.lang.String[] args)", WireShape.of(ControlRequest.class, null));
        assertEquals("{MESSAGES,DESCRIPTORS}", WireShape.of(Hello.ChannelKind.class, null));
        assertEquals("", WireShape.of(byte[].class, null));
    }

    @Test
    void unregisteredClassIdIsNeverInstantiated() {
        Output output = new Output(8);
        output.writeVarInt(777 + 2, true);
        Kryo kryo = MessageRegistry.framework().newKryo();
        KryoException e = assertThrows(KryoException.class,
                () -> kryo.readClassAndObject(new Input(output.toBytes())));
        assertTrue(e.getMessage().contains("unregistered class ID: 777"), e.getMessage());
    }

    @Test
    void declaredLengthLargerThanTheFrameIsRefusedBeforeAllocating() {
        Output output = new Output(16);
        output.writeVarInt(10 + 2, true); // long[]
        output.writeVarInt(100_000_000, true); // claims 100 million longs in a 6-byte frame
        Kryo kryo = MessageRegistry.framework().newKryo();
        KryoException e = assertThrows(KryoException.class,
                () -> kryo.readClassAndObject(new Input(output.toBytes())));
        assertTrue(e.getMessage().contains("long array claims length 99999999"), e.getMessage());
    }
}
