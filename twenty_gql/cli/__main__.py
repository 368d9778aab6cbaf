from twenty_gql.cli import main

main()
