package dev.clutch.core.message;

import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import java.lang.reflect.RecordComponent;

/**
 * What Kryo writes for a type, by position, as text: a record's components, an enum's constants, the fields of a
 * class Kryo serializes field by field, in its order. Kryo writes no names, so two builds in which a type of the
 * same name and ID has another shape would read each other's bytes wrongly, or fail on them; comparing shapes
 * keeps them apart instead. Loops, not streams: every process computes these as it starts.
 */
final class WireShape {

    private WireShape() {
    }

    /** The shape of {@code type} as {@code serializer} writes it; empty when only the serializer knows it. */
    static String of(Class<?> type, Serializer<?> serializer) {
        StringBuilder shape = new StringBuilder();
        if (type.isRecord()) {
            shape.append('(');
            for (RecordComponent component : type.getRecordComponents()) {
                field(shape, component.getType(), component.getName());
            }
            return shape.append(')').toString();
        }
        if (type.isEnum()) {
            shape.append('{');
            for (Object constant : type.getEnumConstants()) {
                shape.append(shape.length() > 1 ? "," : "").append(((Enum<?>) constant).name());
            }
            return shape.append('}').toString();
        }
        if (serializer instanceof FieldSerializer<?> fields) {
            shape.append('[');
            for (FieldSerializer.CachedField field : fields.getFields()) {
                field(shape, field.getField().getType(), field.getName());
            }
            return shape.append(']').toString();
        }
        return "";
    }

    private static void field(StringBuilder shape, Class<?> type, String name) {
        shape.append(shape.length() > 1 ? "," : "").append(type.getTypeName()).append(' ').append(name);
    }
}
