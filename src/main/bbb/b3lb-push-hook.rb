#!/usr/bin/ruby
# frozen_string_literal: true
#
# b3lb-node recording hook. The package installs this one file twice, and BigBlueButton runs every
# *.rb there:
#   post_archive/: `ruby <script> -m <meeting_id>`, once the archive step passed its check;
#   post_publish/: `ruby <script> -m <meeting_id> -f <format>`, once per published format.
# Each run acts only for the protocol it serves (b3lb.protocol, as the service reads it):
#   spec: after archiving, packs the raw recording into <recording-dir>/<id>.tar, then writes an
#         empty <id>.ready. Does nothing after publishing. A tar already there is only marked again.
#   b3lb: after publishing the presentation format only, packs the published presentation (its
#         contents at the tar's root, as B3LB's own pusher does) into <id>.tar, copies its
#         metadata.xml to <id>.meta.xml, then writes <id>.ready holding B3LB's nonce and a newline.
#         Recordings without the nonce did not come through B3LB and are left alone. Does nothing
#         after archiving.
# The b3lb-node service uploads every tar whose marker it finds, writes <id>.uploaded once B3LB
# accepted that tar, and removes the marker. Only that evidence lets a cleanup delete a tar, so a
# tar without marker and without evidence is kept forever: this hook never leaves one behind.
#
# One run per id at a time: a run holds an exclusive flock on <recording-dir>/.<id>.lock for its
# whole pack and mark, so a rebuild's run waits for the running one and then packs its own version.
# The run removes the lock file while it still holds it (see with_lock); nothing else removes one.
#
# Nothing visible changes until everything is on disk: the tar, the metadata and the marker are
# written as hidden temps unique to this run (.<id><suffix>.<pid>.tmp) and synced; only then are
# they renamed into place, metadata, tar, marker in that order, and the directory synced. A marker
# never points at a half-written tar or metadata file, whatever crashes when. When writing a temp
# fails (ENOSPC, quota, inodes, EIO) nothing visible changed and the temps are removed; when a
# rename fails, the tar and metadata this run had put in place are removed too. A run killed on the
# way leaves only hidden temps, which the cleanup deletes after a day.
#
# A tar is not started when the recording directory's filesystem has less free space than the
# source directory's size plus 10 % plus B3LB_FREE_SPACE_MARGIN (default 64 MiB): a half-written
# tar on a full disk helps nobody. Sources and the published metadata.xml that are symlinks (or not
# regular files) are refused: run as root, the hook would copy whatever they point at.
#
# The recording directory's names mirror org.b3lb.node.layout.RecordingLayout; HookLayoutMirrorTest
# holds the two together.
#
# Environment (for tests and unusual layouts):
#   B3LB_PROTOCOL          spec or b3lb (default: b3lb.protocol from the service's config file, else spec)
#   B3LB_RAW_DIR           parent of the raw recordings (default /var/bigbluebutton/recording/raw)
#   B3LB_PUBLISHED_DIR     parent of the published presentations
#                          (default /var/bigbluebutton/published/presentation)
#   B3LB_RECORDING_DIR     where tar and marker go (default: b3lb.recording-dir from the service's
#                          config file, else /var/bigbluebutton/recording/status/archived)
#   B3LB_CONFIG            the service's config file (default /etc/b3lb-node/application.properties)
#   B3LB_RECORD_META_TAG   the meeting metadata holding B3LB's nonce (default b3lb-recordset,
#                          B3LB's B3LB_RECORD_META_DATA_TAG)
#   B3LB_FREE_SPACE_MARGIN bytes kept free on top of the tar's expected size (default 67108864)
#   B3LB_BBB_SCRIPTS_DIR   BBB's hook directories' parent, searched for B3LB's or the spec's hook
#                          (default /usr/local/bigbluebutton/core/scripts)
# `tar`, `du` and `stat` are found through PATH.
#
# BBB only logs a failing hook and never retries it, so this script logs what happened and what
# to do to /var/log/bigbluebutton/b3lb-push-hook.log (stderr when that is not writable).

require 'optparse'
require 'logger'
require 'open3'
require 'find'
require 'cgi'

DEFAULT_RAW_DIR = '/var/bigbluebutton/recording/raw'
DEFAULT_PUBLISHED_DIR = '/var/bigbluebutton/published/presentation'
DEFAULT_RECORDING_DIR = '/var/bigbluebutton/recording/status/archived'
DEFAULT_CONFIG = '/etc/b3lb-node/application.properties'
DEFAULT_META_TAG = 'b3lb-recordset'
DEFAULT_FREE_SPACE_MARGIN = 64 * 1024 * 1024
LOG_FILE = '/var/log/bigbluebutton/b3lb-push-hook.log'
DEFAULT_BBB_SCRIPTS_DIR = '/usr/local/bigbluebutton/core/scripts'
# The name B3LB's and the spec's hook are installed under; ours is b3lb-node-push-hook.rb and
# names b3lb-node in its text, theirs never do (org.b3lb.node.migrate.OldScripts tells them apart
# the same way).
OTHER_HOOK = 'b3lb-push-hook.rb'
OURS = 'b3lb-node'

# The recording directory's names: org.b3lb.node.layout.RecordingLayout's constants.
MARKER_SUFFIX = '.ready'
TAR_SUFFIX = '.tar'
META_SUFFIX = '.meta.xml'
# written by the service only, after B3LB accepted the tar; the hook never touches it
EVIDENCE_SUFFIX = '.uploaded'
LOCK_SUFFIX = '.lock'
TMP_SUFFIX = '.tmp'
# BBB's ids are 54 long; with 200 the longest name, .<id>.meta.xml.<pid>.tmp, stays under NAME_MAX (255)
MAX_ID_LENGTH = 200
# BBB ids are hex digits and dashes. The first character is a letter or digit: the service's file
# consumer skips hidden files, a leading dash reads as an option to tar, and the cleanup (Java's
# RecordingLayout.validId) removes exactly the tars whose names this pattern accepts.
VALID_ID = /\A[A-Za-z0-9][A-Za-z0-9._-]*\z/
# B3LB's NONCE_CHAR_POOL (b3lb/rest/b3lb/constants.py); its nonces are 64 long, the column 100 at most
VALID_NONCE = /\A[A-Za-z0-9!@*()_-]{1,100}\z/
PROTOCOLS = %w[spec b3lb].freeze

# RecordingLayout.tempName: hidden, and unique per writer (this run's pid)
def temp_name(id, suffix, tag = Process.pid)
  ".#{id}#{suffix}.#{tag}#{TMP_SUFFIX}"
end

# RecordingLayout.lockName
def lock_name(id)
  ".#{id}#{LOCK_SUFFIX}"
end

def logger
  @logger ||= begin
    out = File.open(LOG_FILE, 'a')
    out.sync = true
    Logger.new(out)
  rescue SystemCallError, IOError
    Logger.new($stderr)
  end.tap do |l|
    l.progname = 'b3lb-push-hook'
    l.level = Logger::INFO
  end
end

# A key from the service's properties file, so admins configure it in one place. Properties
# syntax beyond `key=value` / `key: value` lines (continuations, escapes) is not needed for a
# path or a word and not supported.
def configured(wanted)
  file = ENV.fetch('B3LB_CONFIG', DEFAULT_CONFIG)
  return nil unless File.readable?(file)

  File.foreach(file) do |line|
    line = line.strip
    next if line.empty? || line.start_with?('#', '!')

    key, value = line.split(/\s*[=:]\s*|\s+/, 2)
    return value.strip if key == wanted && value && !value.strip.empty?
  end
  nil
end

def setting(env_name, key, default)
  value = ENV[env_name]
  value = configured(key) if value.nil? || value.empty?
  value.nil? || value.empty? ? default : value
end

def recording_dir
  setting('B3LB_RECORDING_DIR', 'b3lb.recording-dir', DEFAULT_RECORDING_DIR)
end

def protocol
  setting('B3LB_PROTOCOL', 'b3lb.protocol', 'spec').strip
end

def fsync_path(path)
  File.open(path, 'r', &:fsync)
rescue SystemCallError
  # directories cannot be opened for fsync on every filesystem; the rename is still atomic
  nil
end

# Raised while preparing the temps: nothing visible has changed yet.
class PrepareError < StandardError; end

# Runs tar with an argument list, never a shell: the id cannot be interpreted as anything.
def make_tar(tmp, parent, entry, source)
  output, status = Open3.capture2e('tar', '-cf', tmp, '-C', parent, entry, stdin_data: '')
  raise PrepareError, "tar of #{source} into #{tmp} failed: #{output.strip}" unless status.success?

  fsync_path(tmp)
end

# Bytes below dir, not following links: what the tar will roughly hold. coreutils' du is ~10x
# faster than a Ruby walk on a recording of thousands of files; the walk is the fallback.
def tree_size(dir)
  out, status = Open3.capture2e('du', '-s', '-b', dir, stdin_data: '')
  return Integer(out.split.first, 10) if status.success?

  walk_size(dir)
rescue ArgumentError, TypeError, SystemCallError
  walk_size(dir)
end

def walk_size(dir)
  total = 0
  Find.find(dir) do |path|
    st = File.lstat(path)
    total += st.size if st.file?
  end
  total
end

# Free bytes for unprivileged users on the filesystem of dir (statvfs through coreutils' stat:
# Ruby has no statvfs of its own), or nil when it cannot be read.
def free_bytes(dir)
  out, status = Open3.capture2e('stat', '-f', '-c', '%a %S', dir, stdin_data: '')
  return nil unless status.success?

  avail, block = out.split.map { |v| Integer(v, 10) }
  avail * block
rescue ArgumentError, TypeError, SystemCallError
  nil
end

def free_space_margin
  value = ENV['B3LB_FREE_SPACE_MARGIN'].to_s
  return DEFAULT_FREE_SPACE_MARGIN if value.empty?

  Integer(value, 10)
rescue ArgumentError
  logger.warn("B3LB_FREE_SPACE_MARGIN=#{value.inspect} is not a number of bytes; using #{DEFAULT_FREE_SPACE_MARGIN}")
  DEFAULT_FREE_SPACE_MARGIN
end

def mib(bytes)
  format('%.1f MiB', bytes / 1048576.0)
end

# true when a tar of source fits on dir's filesystem with the margin; else logs why not
def room_for_tar?(meeting_id, source, dir, rerun)
  size = tree_size(source)
  margin = free_space_margin
  need = size + (size / 10) + margin
  free = free_bytes(dir)
  if free.nil?
    logger.warn("#{meeting_id}: cannot read the free space of #{dir}; packing #{mib(size)} anyway")
    return true
  end
  return true if free >= need

  logger.error("#{meeting_id}: not packing #{source} (#{mib(size)}): #{mib(free)} free on the filesystem of " \
               "#{dir}, #{mib(need)} needed (size + 10 % + #{mib(margin)} margin); BBB's files are left alone. " \
               "Free space there (b3lb-node clean --dry-run lists what the cleanup may delete), then run: #{rerun}")
  false
end

# Yields the file opened only when it is a regular file and not a symlink. NONBLOCK: opening a
# FIFO for reading would otherwise wait for a writer forever.
def open_regular(path)
  File.open(path, File::RDONLY | File::NOFOLLOW | File::NONBLOCK) do |f|
    raise PrepareError, "#{path} is not a regular file" unless f.stat.file?

    yield f
  end
rescue Errno::ELOOP
  raise PrepareError, "#{path} is a symlink"
end

# The nonce from the raw events.xml's <metadata tag="..."> (BBB keeps every meta_ parameter of
# the create call there). Reads only up to that element: events.xml can be hundreds of MiB.
def nonce_from_events(path, tag)
  wanted = tag.downcase
  buffer = +''
  File.open(path, 'rb') do |f|
    while (chunk = f.read(65_536))
      buffer << chunk.force_encoding(Encoding::BINARY)
      if (m = buffer.match(/<metadata\b([^>]*)>/))
        m[1].scan(/([^\s=\/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/) do |name, dq, sq|
          return CGI.unescapeHTML((dq || sq).force_encoding(Encoding::UTF_8)) if name.downcase == wanted
        end
        return nil
      end
      # the metadata element comes before the first event; a recording without it has no nonce
      return nil if buffer.include?('<event ')

      cut = buffer.rindex('<')
      buffer = buffer[cut..] if cut && buffer.size > 1_048_576
    end
  end
  nil
end

# The nonce from the published metadata.xml's <meta><tag>...</tag></meta>, for a re-run after
# BBB removed the raw files.
def nonce_from_metadata(path, tag)
  text = open_regular(path) { |f| f.binmode.read }.force_encoding(Encoding::UTF_8)
  m = text.match(/<#{Regexp.escape(tag)}>([^<]*)<\/#{Regexp.escape(tag)}>/i)
  m && CGI.unescapeHTML(m[1].strip)
end

# The files one run puts into the recording directory: each written as a temp of its own, then
# renamed into place together. Remembers what it renamed in, to take exactly that back.
class Publication
  attr_reader :dir

  def initialize(dir, meeting_id)
    @dir = dir
    @id = meeting_id
    @temps = {}
    @placed = []
  end

  def final(suffix)
    File.join(@dir, "#{@id}#{suffix}")
  end

  # the temp for suffix, emptied: a file under this name is left by a killed run whose pid was ours
  def temp(suffix)
    path = File.join(@dir, temp_name(@id, suffix))
    @temps[suffix] = path
    File.delete(path) if File.exist?(path) || File.symlink?(path)
    path
  end

  def write(suffix, content)
    create(suffix) { |f| f.write(content) }
  end

  def copy(suffix, source)
    open_regular(source) { |src| create(suffix) { |f| IO.copy_stream(src, f) } }
  end

  # renames the temps in this order, the marker last
  def rename_in(*suffixes)
    suffixes.each do |suffix|
      tmp = @temps.fetch(suffix)
      st = File.lstat(tmp)
      File.rename(tmp, final(suffix))
      @temps.delete(suffix)
      @placed << [final(suffix), st]
    end
  end

  # removes what this run renamed in (only while it is still the file this run wrote) and its temps
  def undo
    @placed.reverse_each do |path, st|
      now = File.lstat(path)
      File.delete(path) if now.ino == st.ino && now.dev == st.dev
    rescue SystemCallError
      nil
    end
    @placed.clear
    discard
  end

  def discard
    @temps.each_value do |tmp|
      File.delete(tmp)
    rescue SystemCallError
      nil
    end
    @temps.clear
  end

  private

  def create(suffix)
    path = temp(suffix)
    File.open(path, File::WRONLY | File::CREAT | File::EXCL | File::NOFOLLOW, 0o666) do |f|
      yield f
      f.fsync
    end
  end
end

# One run per id: a second run blocks here until the first one is done, then does its own work.
# Yields whether it had to wait. The holder removes the lock file before it lets go, so no lock file
# outlives its run (but a killed one's, which the next run for the id takes over and removes): a
# run that then gets the lock on a removed file (it opened it before the removal) sees that the
# path no longer names what it locked and locks the current file instead. Nothing else ever
# removes a lock file, so two runs can never hold locks on two different files for one id.
def with_lock(meeting_id, dir)
  path = File.join(dir, lock_name(meeting_id))
  waited = false
  loop do
    lock = File.open(path, File::RDONLY | File::CREAT | File::NOFOLLOW, 0o644)
    begin
      unless lock.flock(File::LOCK_EX | File::LOCK_NB)
        logger.info("#{meeting_id}: another run of this hook is writing this recording; waiting for it to finish") unless waited
        waited = true
        lock.flock(File::LOCK_EX)
      end
      held = lock.stat
      current = begin
        File.lstat(path)
      rescue Errno::ENOENT
        nil
      end
      next unless current && current.ino == held.ino && current.dev == held.dev

      begin
        return yield waited
      ensure
        begin
          File.unlink(path)
        rescue SystemCallError
          nil # a read-only directory now: the next run takes the file over
        end
      end
    ensure
      lock.close
    end
  end
end

# Writes every temp (the block), then renames them in the given order; on any failure takes back
# what this run did. Returns the exit code.
def publish(meeting_id, dir, rerun, order)
  pub = Publication.new(dir, meeting_id)
  begin
    yield pub
  rescue PrepareError, SystemCallError, IOError => e
    pub.discard
    logger.error("#{meeting_id}: #{e.message}; nothing in #{dir} was changed. Fix it (free space, inodes, " \
                 "permissions), then run: #{rerun}")
    return 1
  end
  begin
    pub.rename_in(*order)
  rescue Exception => e # rubocop:disable Lint/RescueException -- a TERM between two renames must not leave a tar unmarked
    pub.undo
    raise unless e.is_a?(SystemCallError)

    logger.error("#{meeting_id}: renaming this run's files into place failed: #{e.message}; removed what this " \
                 "run had put in #{dir}, so no tar is left unmarked. Fix it, then run: #{rerun}")
    return 1
  end
  fsync_path(dir)
  tar = pub.final(TAR_SUFFIX)
  logger.info("#{meeting_id}: #{tar} (#{File.size(tar)} bytes) marked for upload")
  0
ensure
  pub&.discard
end

# nil when path is absent or a real directory/regular file (kind), else why it is refused
def refusal(path, kind)
  st = File.lstat(path)
  return "#{path} is a symlink" if st.symlink?
  return "#{path} is not a #{kind}" unless kind == 'directory' ? st.directory? : st.file?

  nil
rescue Errno::ENOENT
  nil
end

def refuse(meeting_id, why, rerun)
  logger.error("#{meeting_id}: refusing to pack: #{why}; the hook copies only BBB's own files. Replace it with " \
               "the real one, then run: #{rerun}; nothing done")
  1
end

# nil when the raw recording can be packed into dir, else the exit code (the reason logged)
def unpackable_raw(meeting_id, raw, dir, rerun)
  why = refusal(raw, 'directory')
  return refuse(meeting_id, why, rerun) if why

  unless File.directory?(raw)
    logger.warn("#{meeting_id}: no raw recording at #{raw}; nothing to upload " \
                '(was the meeting recorded? check B3LB_RAW_DIR)')
    return 0
  end
  return 1 unless recording_dir_exists?(meeting_id, dir)

  room_for_tar?(meeting_id, raw, dir, rerun) ? nil : 0
end

# spec, after archiving: the raw recording as <id>/... in the tar
def archive_raw(meeting_id, dir, rerun)
  raw = File.join(ENV.fetch('B3LB_RAW_DIR', DEFAULT_RAW_DIR), meeting_id)
  tar = File.join(dir, "#{meeting_id}#{TAR_SUFFIX}")
  # checked before the lock too, so a run with nothing to do leaves nothing behind, not even a lock
  checked = !File.file?(tar)
  code = checked && unpackable_raw(meeting_id, raw, dir, rerun)
  return code if code

  with_lock(meeting_id, dir) do |waited|
    if File.file?(tar)
      logger.info("#{meeting_id}: #{tar} already exists, marking it for upload again")
      next publish(meeting_id, dir, rerun, [MARKER_SUFFIX]) { |pub| pub.write(MARKER_SUFFIX, '') }
    end
    # the other run (or a cleanup) changed things while this one waited
    code = (waited || !checked) && unpackable_raw(meeting_id, raw, dir, rerun)
    next code if code

    publish(meeting_id, dir, rerun, [TAR_SUFFIX, MARKER_SUFFIX]) do |pub|
      make_tar(pub.temp(TAR_SUFFIX), File.dirname(raw), File.basename(raw), raw)
      pub.write(MARKER_SUFFIX, '')
    end
  end
end

# b3lb, after publishing the presentation: its contents at the tar's root, plus metadata.xml
def archive_published(meeting_id, dir, rerun)
  tag = ENV['B3LB_RECORD_META_TAG'].to_s.empty? ? DEFAULT_META_TAG : ENV['B3LB_RECORD_META_TAG']
  published = File.join(ENV.fetch('B3LB_PUBLISHED_DIR', DEFAULT_PUBLISHED_DIR), meeting_id)
  metadata = File.join(published, 'metadata.xml')
  events = File.join(ENV.fetch('B3LB_RAW_DIR', DEFAULT_RAW_DIR), meeting_id, 'events.xml')
  why = refusal(published, 'directory') || refusal(metadata, 'regular file')
  return refuse(meeting_id, why, rerun) if why

  nonce = if File.file?(events)
            nonce_from_events(events, tag)
          elsif File.file?(metadata)
            nonce_from_metadata(metadata, tag)
          end
  if nonce.nil? || nonce.empty?
    logger.info("#{meeting_id}: no #{tag} in #{events} (or #{metadata}): the meeting was not created " \
                'through B3LB, so there is nothing to upload')
    return 0
  end
  unless VALID_NONCE.match?(nonce)
    logger.error("#{meeting_id}: #{tag} #{nonce[0, 120].inspect} is not a B3LB nonce (1-100 of " \
                 "A-Z a-z 0-9 ! @ * ( ) - _); nothing done. Check B3LB_RECORD_META_TAG against B3LB's " \
                 'B3LB_RECORD_META_DATA_TAG')
    return 1
  end
  unless File.file?(metadata)
    logger.warn("#{meeting_id}: no published presentation at #{published} (no metadata.xml); nothing to " \
                "upload (check B3LB_PUBLISHED_DIR), or run this hook again after publishing: #{rerun}")
    return 0
  end
  return 1 unless recording_dir_exists?(meeting_id, dir)
  return 0 unless room_for_tar?(meeting_id, published, dir, rerun)

  # always packed anew: bbb-record --rebuild publishes a new copy under the same id
  with_lock(meeting_id, dir) do |waited|
    next 0 if waited && !room_for_tar?(meeting_id, published, dir, rerun)

    publish(meeting_id, dir, rerun, [META_SUFFIX, TAR_SUFFIX, MARKER_SUFFIX]) do |pub|
      make_tar(pub.temp(TAR_SUFFIX), published, '.', published)
      pub.copy(META_SUFFIX, metadata)
      pub.write(MARKER_SUFFIX, "#{nonce}\n")
    end
  end
end

# B3LB's or the spec's hook, while it is still installed: it (with its uploader) handles every
# recording until `b3lb-node migrate` takes the node over, so this hook stands aside and no
# recording is uploaded twice or by neither.
def other_hook
  base = ENV['B3LB_BBB_SCRIPTS_DIR']
  base = DEFAULT_BBB_SCRIPTS_DIR if base.nil? || base.empty?
  %w[post_archive post_publish].each do |dir|
    path = File.join(base, dir, OTHER_HOOK)
    next unless File.file?(path)

    text = begin
      File.binread(path)
    rescue SystemCallError, IOError
      # unreadable: not ours either (ours is world-readable), so still the other side's
      ''
    end
    return path unless text.include?(OURS)
  end
  nil
end

def recording_dir_exists?(meeting_id, dir)
  return true if File.directory?(dir)

  logger.error("#{meeting_id}: recording directory #{dir} does not exist; create it " \
               'or set b3lb.recording-dir, then run this hook again')
  false
end

def main(argv)
  meeting_id = nil
  format = nil
  parser = OptionParser.new do |o|
    o.banner = 'usage: ruby b3lb-push-hook.rb -m MEETING_ID [-f FORMAT]'
    o.on('-m', '--meeting-id ID', 'the meeting id BigBlueButton passes') { |v| meeting_id = v }
    o.on('-f', '--format FORMAT', 'the playback format, passed after publishing') { |v| format = v }
  end
  begin
    parser.parse!(argv)
  rescue OptionParser::ParseError => e
    logger.error("#{e.message}; #{parser.banner}")
    return 1
  end

  if meeting_id.nil? || meeting_id.empty?
    logger.error("no meeting id given; #{parser.banner}")
    return 1
  end
  unless VALID_ID.match?(meeting_id) && meeting_id != '.' && meeting_id != '..'
    logger.error("refusing meeting id #{meeting_id[0, 120].inspect}: only letters, digits, '.', '_' and '-' " \
                 'are allowed (and no leading dot); nothing done')
    return 1
  end
  if meeting_id.length > MAX_ID_LENGTH
    logger.error("refusing meeting id #{meeting_id[0, 40]}... (#{meeting_id.length} characters): at most " \
                 "#{MAX_ID_LENGTH} fit the recording directory's file names (BBB's ids have 54); nothing done")
    return 1
  end

  proto = protocol
  unless PROTOCOLS.include?(proto)
    logger.error("#{meeting_id}: invalid b3lb.protocol #{proto.inspect} (B3LB_PROTOCOL or " \
                 "#{ENV.fetch('B3LB_CONFIG', DEFAULT_CONFIG)}): must be spec or b3lb; nothing done")
    return 1
  end
  rerun = "sudo -u bigbluebutton ruby #{File.expand_path(__FILE__)} -m #{meeting_id}" \
          "#{format ? " -f #{format}" : ''}"
  # no format: run from post_archive; a format: from post_publish (post_process also passes one,
  # and finds nothing published yet)
  return 0 unless proto == 'spec' ? format.nil? : format == 'presentation'

  other = other_hook
  if other
    logger.info("#{meeting_id}: left to #{other} (not b3lb-node's), which handles recordings until the takeover; " \
                'nothing written. To take over: sudo b3lb-node migrate --dry-run, then sudo b3lb-node migrate')
    return 0
  end
  proto == 'spec' ? archive_raw(meeting_id, recording_dir, rerun) : archive_published(meeting_id, recording_dir, rerun)
rescue SystemCallError, IOError, PrepareError => e
  logger.error("#{meeting_id}: #{e.message}; fix it and run this hook again with -m #{meeting_id}")
  1
end

exit(main(ARGV)) if $PROGRAM_NAME == __FILE__
