function __cube-convert_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-convert_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cube-convert_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-convert_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cube-convert_parse_tokens -S
    set -l unparsed_tokens (__cube-convert_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cube-convert'
        __cube-convert_parse_subcommand -r 1 'o/output=' 'overwrite' 'buffered-writes' 'zarr-format=' 'chunks=+' 'codec=' 'shards=+' 'j/jobs=' 'max-mem=' 'q/quiet' 'concat=' 'skip-unsupported' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __cube-convert_parse_subcommand -r 1 'version'
        end
    end
end

function __cube-convert_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cube-convert_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __cube-convert_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cube-convert_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cube-convert_tokens -p)
    if test -z "$(__cube-convert_tokens -t)"
        set -l index (count (__cube-convert_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cube-convert' -f
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_positional "cube-convert" -ge 1' -fa '(set -l exts \'nc\' \'nc4\' \'h5\' \'hdf5\' \'he5\' \'cdf\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" o output' -s 'o' -l 'output' -d 'The Zarr store to write.' -rfa '(__cube-convert_complete_directories)'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" overwrite' -l 'overwrite' -d 'Replace the output if it exists.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" buffered-writes' -l 'buffered-writes' -d 'Write chunks through the page cache. By default chunks of 64 KiB and more bypass it (O_DIRECT) where the file system allows, which saves a copy and keeps the output from filling memory.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" zarr-format' -l 'zarr-format' -d 'Zarr format of the output: 3 or 2 for older readers (default: 3 from NetCDF/HDF5, the source\'s from Zarr).' -rfka '2 3'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert"' -l 'chunks' -d 'Chunk lengths by dimension, such as time=1,lat=-1,lon=-1 (-1: the full length), or for one variable, such as t2m:time=24. Repeat for several.' -rfka ''
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" codec' -l 'codec' -d 'Compressor: none, zstd[:LEVEL], gzip[:LEVEL], blosc[:CNAME[:LEVEL[:SHUFFLE]]], and for --zarr-format 2 also zlib[:LEVEL], lz4[:ACCEL]. Default: zarr-python\'s (v3 zstd:0, v2 blosc:lz4:5:shuffle).' -rfka 'none zstd: gzip: blosc: zlib: lz4'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert"' -l 'shards' -d 'Zarr v3 shard lengths by dimension (whole numbers of chunks), same syntax as --chunks.' -rfka ''
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" j jobs' -s 'j' -l 'jobs' -d 'Worker threads (default: all cores).' -rfka ''
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" max-mem' -l 'max-mem' -d 'Memory budget for data in flight, such as 256MiB, 1GB or 512M; peak memory stays within it plus a fixed overhead.' -rfka ''
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" q quiet' -s 'q' -l 'quiet' -d 'No progress bar or notes; errors only.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" concat' -l 'concat' -d 'Join several inputs along this dimension.' -rfka ''
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" skip-unsupported' -l 'skip-unsupported' -d 'Skip variables that cannot be converted (opaque and vlen types; in Zarr v3 also compounds and characters with a _FillValue) with a warning instead of failing.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" version' -l 'version' -d 'Show the version.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_positional "cube-convert" -eq 2' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cube-convert' -n '__cube-convert_should_offer_completions_for_flags_or_options "cube-convert help" version' -l 'version' -d 'Show the version.'
