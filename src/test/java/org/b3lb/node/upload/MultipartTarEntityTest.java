package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultipartTarEntityTest {

    @TempDir
    Path dir;

    private SentFiles open(String id, int size) throws Exception {
        Recordings.ready(dir, id, size);
        return SentFiles.open(RecordingFiles.ofMarker(dir.resolve(id + ".ready")), false);
    }

    @Test
    void declaredLengthIsExactlyWhatIsWrittenAndFramingIsMultipart() throws Exception {
        int size = 3 * MultipartTarEntity.SLICE + 17;
        try (SentFiles files = open("abc", size)) {
            RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("abc.ready"));
            MultipartTarEntity e = MultipartTarEntity.of(r, files, "recording", null);
            UploadProgress p = e.progress();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            e.writeTo(out);

            assertThat((long) out.size()).isEqualTo(e.getContentLength());
            // what the log calls the recording's progress: tar bytes, not framing (issue 10: "239.0 KiB of 238.8 KiB")
            assertThat(p.tarSent()).isEqualTo(size);
            assertThat(e.isChunked()).isFalse();
            String boundary = e.getContentType().substring(e.getContentType().indexOf("boundary=") + 9);
            String text = out.toString(StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"recording\"; "
                    + "filename=\"abc.tar\"\r\nContent-Type: application/x-tar\r\n\r\n");
            assertThat(text).endsWith("\r\n--" + boundary + "--\r\n");
            // written twice (a repeated request), the same bytes and the same count
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            e.writeTo(again);
            assertThat(again.size()).isEqualTo(out.size());
            assertThat(p.tarSent()).isEqualTo(size);
        }
    }

    @Test
    void namesThatWouldBreakTheHeaderArePercentEncoded() {
        assertThat(MultipartTarEntity.quoted("a\"b\r\nc")).isEqualTo("a%22b%0D%0Ac");
    }

    @Test
    void largeWritesGoOutInSlicesNotTinyChunks() throws Exception {
        try (SentFiles files = open("big", 4 * MultipartTarEntity.SLICE)) {
            RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("big.ready"));
            int[] writes = {0};
            OutputStream counting = new FilterOutputStream(OutputStream.nullOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) {
                    writes[0]++;
                }
            };
            MultipartTarEntity.of(r, files, "recording", null).writeTo(counting);
            assertThat(writes[0]).isLessThanOrEqualTo(6);
        }
    }

    @Test
    void aTarThatShrankOrGrewIsAChangeNotATruncatedUpload() throws Exception {
        try (SentFiles files = open("short", 100)) {
            RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("short.ready"));
            try (FileChannel ch = FileChannel.open(r.tar(), StandardOpenOption.WRITE)) {
                ch.truncate(50);
            }
            MultipartTarEntity e = MultipartTarEntity.of(r, files, "recording", null);
            assertThatThrownBy(() -> e.writeTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(SentFiles.ChangedException.class).hasMessageContaining("shrank");
            assertThat(files.check()).isEqualTo(SentFiles.Change.CHANGED);
        }
        try (SentFiles files = open("long", 100)) {
            RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("long.ready"));
            Files.write(r.tar(), new byte[10], StandardOpenOption.APPEND);
            MultipartTarEntity e = MultipartTarEntity.of(r, files, "recording", null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThatThrownBy(() -> e.writeTo(out)).isInstanceOf(SentFiles.ChangedException.class).hasMessageContaining("grew");
            // the closing boundary never went out: no server can take this body for a whole one
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).doesNotEndWith("--\r\n");
        }
    }

    @Test
    void aSymlinkedTarIsNotOpened() throws Exception {
        Path outside = Recordings.tar(dir, "outside", 100);
        Files.createSymbolicLink(dir.resolve("linked.tar"), outside);
        Recordings.marker(dir, "linked");
        assertThatThrownBy(() -> SentFiles.open(RecordingFiles.ofMarker(dir.resolve("linked.ready")), false))
                .isInstanceOf(UploadFailure.Permanent.class).hasMessageContaining("is a symbolic link, not a regular file");
    }

    @Test
    void severalFilePartsForB3lb3() throws Exception {
        Path a = Recordings.tar(dir, "part-a", 10);
        Path b = Recordings.tar(dir, "part-b", 20);
        RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("part-a.ready"));
        UploadProgress p = new UploadProgress(r, 30);
        try (FileChannel ca = FileChannel.open(a); FileChannel cb = FileChannel.open(b)) {
            MultipartTarEntity e = MultipartTarEntity.of(java.util.List.of(
                    new MultipartTarEntity.Part("file", "a.tar", "application/x-tar", a, ca, 10),
                    new MultipartTarEntity.Part("meta", "b.xml", "application/xml", b, cb, 20)), p, null, null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            e.writeTo(out);
            String text = out.toString(StandardCharsets.ISO_8859_1);
            assertThat((long) out.size()).isEqualTo(e.getContentLength());
            assertThat(text).contains("name=\"file\"; filename=\"a.tar\"\r\nContent-Type: application/x-tar")
                    .contains("name=\"meta\"; filename=\"b.xml\"\r\nContent-Type: application/xml");
            assertThat(p.tarSent()).isEqualTo(30);
        }
    }

    @Test
    void nonAsciiNamesAreSentAsUtf8() throws IOException {
        Path a = Recordings.tar(dir, "x", 1);
        RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("x.ready"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FileChannel ca = FileChannel.open(a)) {
            MultipartTarEntity.of(java.util.List.of(new MultipartTarEntity.Part("file", "ü录.tar", "application/x-tar", a, ca, 1)),
                    new UploadProgress(r, 1), null, null).writeTo(out);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("filename=\"ü录.tar\"");
    }
}
